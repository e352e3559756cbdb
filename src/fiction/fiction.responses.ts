import { z } from "zod";
import { itemsOf, pageOf, responseOf } from "../http/response-schema";
import { keyStatusExample, keyStatusSchema } from "../economy/economy.responses";
import type { BookJson } from "./library.service";
import type * as library from "./library.service";
import type * as play from "./playthrough.service";

/** Response schemas of /api/v1/books, /admin/books, /play and /inventory (src/http/response-schema.ts). */
const BOOK = "665f1c2e8b3c4a0012345678";

const bookShape = {
  id: z.string(),
  title: z.string(),
  description: z.string(),
  cover_url: z.string().nullable(),
  genre: z.string(),
  tags: z.array(z.string()),
  chapter_count: z.number().int().min(0),
  reads_7d: z.number().int().min(0).meta({ description: "chapter starts over the last 7 days (the popularity sort)" }),
  published_at: z.iso.datetime().nullable(),
};
const bookExample = { id: BOOK, title: "Night Shift", description: "A hospital romance.", cover_url: null, genre: "romance", tags: ["drama"], chapter_count: 3, reads_7d: 42, published_at: "2026-01-01T12:00:00.000Z" };

export const bookResponse = responseOf<BookJson>()(z.object(bookShape).strict().meta({ id: "Book", example: bookExample }));
export const bookPageResponse = responseOf<Awaited<ReturnType<typeof library.listBooks>>>()(pageOf(bookResponse).meta({ id: "BookPage", example: { items: [bookExample], next_cursor: null } }));
export const genresResponse = responseOf<{ items: Awaited<ReturnType<typeof library.listGenres>> }>()(
  itemsOf(z.object({ genre: z.string(), book_count: z.number().int().min(0) }).strict()).meta({ id: "GenreList", example: { items: [{ genre: "romance", book_count: 4 }] } }),
);
export const bookDetailResponse = responseOf<Awaited<ReturnType<typeof library.getBook>>>()(
  z
    .object({ ...bookShape, chapters: z.array(z.object({ number: z.number().int().min(1), title: z.string(), premium: z.boolean() }).strict()) })
    .strict()
    .meta({ id: "BookDetail", example: { ...bookExample, chapters: [{ number: 1, title: "Arrival", premium: false }] } }),
);

const chapterHead = { book_id: z.string(), number: z.number().int().min(1), version: z.number().int().min(1), title: z.string(), premium: z.boolean() };
export const importedChapterResponse = responseOf<Awaited<ReturnType<typeof library.importChapter>>>()(
  z
    .object({ ...chapterHead, format: z.enum(["native", "ink"]) })
    .strict()
    .meta({ id: "ImportedChapter", example: { book_id: BOOK, number: 1, version: 2, title: "Arrival", format: "native", premium: false } }),
);

const line = z.object({ type: z.literal("dialogue"), text: z.string(), character: z.string().optional(), expression: z.string().optional() }).strict();
/**
 * A chapter's content as clients render it. Not tied by type: the service sends it as a
 * pre-serialised body (for its ETag); the sampled response check validates the real body.
 */
export const chapterContentResponse = z
  .union([
    z
      .object({
        ...chapterHead,
        format: z.literal("native"),
        startSceneId: z.string(),
        scenes: z.record(
          z.string(),
          z
            .object({
              background: z.string().nullable(),
              music: z.string().nullable(),
              timeline: z.array(line),
              nextSceneId: z.string().optional(),
              choice: z
                .object({
                  prompt: z.string().nullable(),
                  options: z.array(z.object({ id: z.string(), text: z.string(), cost: z.number().int().optional(), nextSceneId: z.string().optional().meta({ description: "only for ungated options" }) }).strict()),
                })
                .strict()
                .optional(),
              end: z.literal(true).optional(),
            })
            .strict(),
        ),
      })
      .strict(),
    z.object({ ...chapterHead, format: z.literal("ink"), scenes: z.null().meta({ description: "Ink chapters are played through /play only" }) }).strict(),
  ])
  .meta({
    id: "ChapterContent",
    example: {
      book_id: BOOK, number: 1, version: 1, title: "Arrival", premium: false, format: "native", startSceneId: "intro",
      scenes: { intro: { background: "lobby.png", music: null, timeline: [{ type: "dialogue", character: "Ava", text: "You're late." }], end: true } },
    },
  });

const statsShape = z.object({ relationships: z.record(z.string(), z.number()), flags: z.record(z.string(), z.boolean()), outfits: z.array(z.string()) }).strict();

export const playViewResponse = responseOf<play.PlayView>()(
  z
    .object({
      book_id: z.string(),
      revision: z.number().int().min(0),
      chapter_count: z.number().int().min(0),
      mode: z.enum(["none", "story", "replay"]),
      chapter: z.number().int().nullable(),
      version: z.number().int().nullable(),
      step: z.number().int().min(0),
      scene: z
        .object({ id: z.string(), background: z.string(), music: z.string(), line: z.number().int(), line_count: z.number().int(), current: line.nullable(), timeline: z.array(line) })
        .strict()
        .nullable(),
      prompt: z.string(),
      options: z.array(z.object({ id: z.string(), text: z.string(), cost: z.number().int().min(0), affordable: z.boolean() }).strict()),
      ended: z.boolean(),
      awaiting_keep: z.boolean().meta({ description: "a finished replay waits for POST /play/keep" }),
      stats: statsShape,
      completed_chapters: z.array(z.number().int()),
      wallet: z.object({ keys: z.number().int(), key_cap: z.number().int(), next_key_at: z.iso.datetime().nullable(), diamonds: z.number().int() }).strict(),
    })
    .strict()
    .meta({
      id: "PlayView",
      example: {
        book_id: BOOK, revision: 3, chapter_count: 3, mode: "story", chapter: 1, version: 1, step: 2,
        scene: { id: "intro", background: "lobby.png", music: "", line: 0, line_count: 1, current: { type: "dialogue", character: "Ava", text: "You're late." }, timeline: [] },
        prompt: "", options: [], ended: false, awaiting_keep: false, stats: { relationships: { ava: 5 }, flags: {}, outfits: [] }, completed_chapters: [],
        wallet: { keys: 4, key_cap: 5, next_key_at: "2026-01-01T14:00:00.000Z", diamonds: 20 },
      },
    }),
);

export const choiceOutcomeResponse = responseOf<Awaited<ReturnType<typeof play.choose>>>()(
  z
    .object({
      view: playViewResponse,
      applied: z.boolean().meta({ description: "false when this choice was already made (a retry)" }),
      option_id: z.string(),
      cost: z.number().int().min(0),
      effects: z.object({ relationships: z.record(z.string(), z.number()).optional(), flags: z.record(z.string(), z.boolean()).optional(), outfits: z.array(z.string()).optional() }).strict(),
    })
    .strict()
    .meta({ id: "ChoiceOutcome", example: { applied: true, option_id: "apologise", cost: 0, effects: { relationships: { ava: 2 } } } }),
);

export const inventoryResponse = responseOf<Awaited<ReturnType<typeof play.inventory>>>()(
  z
    .object({
      keys: keyStatusSchema,
      diamonds: z.number().int(),
    })
    .strict()
    .meta({ id: "Inventory", example: { keys: keyStatusExample, diamonds: 20 } }),
);
