import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";

/** REST shapes of the fiction library and its admin import. */
const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "lower-case letters, digits, _ or -, up to 40");

export const bookListQuerySchema = pageQuerySchema.extend({
  genre: slug.optional(),
  sort: z.enum(["popular", "new"]).default("popular"),
  q: z.string().max(200).optional(),
});

export const bookParamsSchema = z.object({ id: objectIdString }).strict();
export const chapterParamsSchema = z.object({ id: objectIdString, n: z.coerce.number().int().min(1).max(1000) }).strict();

export const createBookBodySchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5000).default(""),
    cover_url: z.string().url().max(1000).nullable().default(null),
    genre: slug,
    tags: z.array(slug).max(20).default([]),
    /** false: a draft, not listed until published */
    published: z.boolean().default(true),
  })
  .strict();

/** Up to 1000 chapters per book; chapters are imported in order (1, 2, …), a re-import adds a version. */
const chapterNumber = z.number().int().min(1).max(1000);
export const importChapterBodySchema = z.discriminatedUnion("format", [
  z.object({ format: z.literal("native"), number: chapterNumber, content: z.unknown() }).strict(),
  z
    .object({
      format: z.literal("ink"),
      number: chapterNumber,
      title: z.string().trim().min(1).max(200),
      /** Ink source (compiled on import) … */
      source: z.string().min(1).max(200_000).optional(),
      /** … or compiled Ink JSON (inklecate / inkjs `ToJson()`), as a string or an object. */
      json: z.union([z.string().min(1).max(200_000), z.record(z.string(), z.unknown())]).optional(),
    })
    .strict()
    .refine((b) => (b.source === undefined) !== (b.json === undefined), "give exactly one of source or json"),
]);

export type BookListQuery = z.infer<typeof bookListQuerySchema>;
export type CreateBookBody = z.infer<typeof createBookBodySchema>;
export type ImportChapterBody = z.infer<typeof importChapterBodySchema>;
