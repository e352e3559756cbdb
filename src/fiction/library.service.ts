import { z } from "zod";
import { clock } from "../shared/clock";
import { NotFoundError, ValidationError } from "../shared/errors";
import { decodeCursor, toPage, type Page } from "../shared/pagination";
import { inTransaction } from "../infra/transaction";
import { recordAudit } from "../admin/audit";
import type { ChapterContent } from "./content.types";
import { engineFor } from "./engines";
import { emptyStats, type ChapterEngine, type Stats } from "./engine";
import { FLAG_PREFIX, InkEngine, REL_PREFIX } from "./ink.engine";
import { hasPremiumOption, nativePresentation, popularityWindowStart, searchFilter, searchTokens, strongEtag } from "./library.rules";
import * as repo from "./library.repository";
import type { BookListQuery, CreateBookBody, ImportChapterBody } from "./library.schemas";
import { compileInk, flagsSetBy, validateInkChapter, validateNativeChapter, type ContentProblem } from "./validator.rules";
import { fictionErrors } from "./fiction.errors";

/** The library: catalog, chapter content, and the admin import (validated content only). */

/** A book as the catalog shows it (the chapter list only on GET /books/{id}). */
export type BookJson = Pick<repo.BookRow, "id" | "title" | "description" | "cover_url" | "genre" | "tags" | "chapter_count" | "reads_7d"> & {
  published_at: string | null;
};

export function bookJson(b: repo.BookRow): BookJson {
  return {
    id: b.id,
    title: b.title,
    description: b.description,
    cover_url: b.cover_url,
    genre: b.genre,
    tags: b.tags,
    chapter_count: b.chapter_count,
    published_at: b.published_at ? b.published_at.toISOString() : null,
    reads_7d: b.reads_7d,
  };
}

function bookNotFound(): NotFoundError {
  return fictionErrors.bookNotFound();
}

function isPublished(b: repo.BookRow): boolean {
  return b.published_at !== null && b.published_at <= clock.now();
}

/** A published book (drafts do not exist for readers). */
export async function requirePublishedBook(id: string): Promise<repo.BookRow> {
  const book = await repo.findBookById(id);
  if (!book || !isPublished(book)) throw bookNotFound();
  return book;
}

export async function createBook(input: CreateBookBody): Promise<BookJson> {
  const now = clock.now();
  const book = await repo.insertBook({
    title: input.title,
    description: input.description,
    cover_url: input.cover_url,
    genre: input.genre,
    tags: input.tags,
    published_at: input.published ? now : null,
    created_at: now,
    search_tokens: searchTokens(`${input.title} ${input.description}`),
  });
  return bookJson(book);
}

const newCursor = z.object({ t: z.number(), id: z.string().regex(/^[0-9a-f]{24}$/) }).strict();
const popularCursor = z.object({ r: z.number().int().min(0), id: z.string().regex(/^[0-9a-f]{24}$/) }).strict();

export async function listBooks(query: BookListQuery): Promise<Page<BookJson>> {
  const search = query.q === undefined ? null : searchFilter(query.q);
  const sort: repo.BookSort =
    query.sort === "new" ? { by: "new", after: decodeCursor(query.cursor, newCursor) } : { by: "popular", after: decodeCursor(query.cursor, popularCursor) };
  const rows = await repo.listPublishedBooks({ genre: query.genre, search, sort, limit: query.limit, now: clock.now() });
  const page = toPage(rows, query.limit, (b) => (query.sort === "new" ? { t: b.published_at!.getTime(), id: b.id } : { r: b.reads_7d, id: b.id }));
  return { items: page.items.map(bookJson), next_cursor: page.next_cursor };
}

export async function getBook(id: string): Promise<BookJson & { chapters: Array<{ number: number; title: string; premium: boolean }> }> {
  const book = await requirePublishedBook(id);
  return { ...bookJson(book), chapters: book.chapters.map((c) => ({ number: c.number, title: c.title, premium: c.premium })) };
}

export function listGenres() {
  return repo.listGenres(clock.now());
}

/** The latest version of a chapter of a published book. */
export async function requireChapter(bookId: string, number: number): Promise<repo.ChapterRow> {
  await requirePublishedBook(bookId);
  const chapter = await repo.findLatestChapter(bookId, number);
  if (!chapter) throw fictionErrors.chapterNotFoundNotFound(`This book has no chapter ${number}.`);
  return chapter;
}

/**
 * Cacheable chapter content: the serialized body and its strong ETag. Native chapters give their
 * scenes' presentation (no effects, conditions, or gated next scenes); an Ink story is evaluated
 * on the server only (its compiled JSON holds every condition), so it gives the chapter's metadata.
 */
export async function chapterContent(bookId: string, number: number): Promise<{ body: string; etag: string }> {
  const chapter = await requireChapter(bookId, number);
  const base = { book_id: bookId, number: chapter.number, version: chapter.version, title: chapter.title, format: chapter.content.format, premium: chapter.premium };
  const payload = chapter.content.format === "native" ? { ...base, ...nativePresentation(chapter.content.native) } : { ...base, scenes: null };
  const body = JSON.stringify(payload);
  return { body, etag: strongEtag(body) };
}

function invalidContent(problems: ContentProblem[]): ValidationError {
  return fictionErrors.invalidContent(problems.length, problems);
}

/** Stats that open the gated paths of an Ink chapter for validation: every flag set, high scores. */
function gatesOpenStats(engine: InkEngine): Stats {
  const names = engine.variableNames();
  const flags = Object.fromEntries(names.filter((n) => n.startsWith(FLAG_PREFIX)).map((n) => [n.slice(FLAG_PREFIX.length), true]));
  const relationships = Object.fromEntries(names.filter((n) => n.startsWith(REL_PREFIX)).map((n) => [n.slice(REL_PREFIX.length), 1000]));
  return { relationships, flags, outfits: [] };
}

/** Validate and store a chapter (a new version when it exists); every problem is reported at once. */
/** `actorId`: the admin importing it; the audit row commits with the chapter. */
export async function importChapter(bookId: string, input: ImportChapterBody, actorId?: string) {
  const book = await repo.findBookById(bookId);
  if (!book) throw bookNotFound();
  if (input.number > book.chapter_count + 1) {
    throw fictionErrors.chapterOutOfOrder(book.chapter_count + 1, input.number);
  }
  let content: ChapterContent;
  let title: string;
  let inkSource: string | null = null;
  let premium: boolean;
  let flagsSet: string[];
  if (input.format === "native") {
    const outcome = validateNativeChapter(input.content, await repo.flagsSetBefore(bookId, input.number));
    if (!outcome.ok) throw invalidContent(outcome.problems);
    content = { format: "native", native: outcome.content };
    title = outcome.content.title;
    premium = hasPremiumOption(outcome.content);
    flagsSet = flagsSetBy(outcome.content);
  } else {
    let json: string;
    if (input.source !== undefined) {
      const compiled = compileInk(input.source);
      if ("problems" in compiled) throw invalidContent(compiled.problems);
      json = compiled.json;
      inkSource = input.source;
    } else {
      json = typeof input.json === "string" ? input.json : JSON.stringify(input.json);
    }
    // fresh variables first (it also proves the JSON is an Ink story), then every gate open
    const fresh = validateInkChapter(json, [emptyStats()]);
    if (!fresh.ok) throw invalidContent(fresh.problems);
    const engine = new InkEngine(json);
    const outcome = validateInkChapter(json, [gatesOpenStats(engine)]);
    if (!outcome.ok) throw invalidContent(outcome.problems);
    content = { format: "ink", ink: { title: input.title, json } };
    title = input.title;
    premium = fresh.content.premium || outcome.content.premium;
    flagsSet = engine.variableNames().filter((n) => n.startsWith(FLAG_PREFIX)).map((n) => n.slice(FLAG_PREFIX.length));
  }
  const chapter = await inTransaction(async (session) => {
    const row = await repo.insertChapterVersion({ book_id: bookId, number: input.number, title, content, ink_source: inkSource, premium, flags_set: flagsSet, created_at: clock.now() }, session);
    if (actorId) await recordAudit({ actorId, action: "fiction.chapter_import", targetType: "book", targetId: bookId, details: { number: row.number, version: row.version } }, session);
    return row;
  });
  return { book_id: bookId, number: chapter.number, version: chapter.version, title: chapter.title, format: chapter.content.format, premium: chapter.premium };
}

/** Engines are built once per chapter version (content is immutable per version). */
const engines = new Map<string, ChapterEngine>();
const MAX_CACHED_ENGINES = 500;

export async function engineOf(bookId: string, number: number, version: number): Promise<{ engine: ChapterEngine; chapter: repo.ChapterRow }> {
  const chapter = await repo.findChapterVersion(bookId, number, version);
  if (!chapter) throw fictionErrors.chapterNotFoundNotFound(`This book has no chapter ${number} (version ${version}).`);
  const key = `${bookId}:${number}:${version}`;
  let engine = engines.get(key);
  if (!engine) {
    if (engines.size >= MAX_CACHED_ENGINES) engines.delete(engines.keys().next().value!);
    engine = engineFor(chapter.content);
    engines.set(key, engine);
  }
  return { engine, chapter };
}

/** reads_7d of the book from its daily counts (after a completion, and by the popularity job). */
export function refreshPopularity(bookId: string): Promise<number> {
  return repo.refreshReads7d(bookId, popularityWindowStart(clock.now()));
}

export async function refreshAllPopularity(): Promise<number> {
  const ids = await repo.booksWithReads();
  for (const id of ids) await refreshPopularity(id);
  return ids.length;
}
