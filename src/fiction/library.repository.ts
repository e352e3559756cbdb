import { Types, type ClientSession } from "mongoose";
import { BookModel, BookReadsDailyModel, ChapterModel } from "./book.model";
import type { ChapterContent, NativeChapter } from "./content.types";
import { isObjectIdString } from "../shared/ids";

/** Persistence of books, chapter versions and read counters; plain objects with string ids. */

export interface ChapterSummary {
  number: number;
  title: string;
  version: number;
  format: "native" | "ink";
  premium: boolean;
}

export interface BookRow {
  id: string;
  title: string;
  description: string;
  cover_url: string | null;
  genre: string;
  tags: string[];
  chapters: ChapterSummary[];
  chapter_count: number;
  published_at: Date | null;
  reads_7d: number;
  created_at: Date;
}

export interface ChapterRow {
  id: string;
  book_id: string;
  number: number;
  version: number;
  title: string;
  content: ChapterContent;
  premium: boolean;
  flags_set: string[];
}

type Row = Record<string, any>;

function toBook(r: Row): BookRow {
  return {
    id: String(r._id),
    title: r.title,
    description: r.description,
    cover_url: r.cover_url,
    genre: r.genre,
    tags: r.tags,
    chapters: r.chapters,
    chapter_count: r.chapter_count,
    published_at: r.published_at,
    reads_7d: r.reads_7d,
    created_at: r.created_at,
  };
}

function toChapter(r: Row): ChapterRow {
  const content: ChapterContent =
    r.format === "native" ? { format: "native", native: r.native as NativeChapter } : { format: "ink", ink: { title: r.title, json: r.ink_json } };
  return { id: String(r._id), book_id: r.book_id, number: r.number, version: r.version, title: r.title, content, premium: r.premium, flags_set: r.flags_set };
}

export async function insertBook(doc: Omit<BookRow, "id" | "chapters" | "chapter_count" | "reads_7d"> & { search_tokens: string[] }): Promise<BookRow> {
  const created = await BookModel.create({ ...doc, chapters: [], chapter_count: 0, reads_7d: 0, updated_at: doc.created_at });
  return toBook(created.toObject());
}

export async function findBookById(id: string): Promise<BookRow | null> {
  if (!isObjectIdString(id)) return null;
  const row = await BookModel.findById(id).lean();
  return row ? toBook(row) : null;
}

export type BookSort = { by: "new"; after?: { t: number; id: string } } | { by: "popular"; after?: { r: number; id: string } };

/** Published books, newest or most read first, keyset-paged; `limit + 1` rows (see toPage). */
export async function listPublishedBooks(opts: { genre?: string; search?: Record<string, unknown> | null; sort: BookSort; limit: number; now: Date }): Promise<BookRow[]> {
  const filter: Record<string, unknown>[] = [{ published_at: { $ne: null, $lte: opts.now } }];
  if (opts.genre) filter.push({ genre: opts.genre });
  if (opts.search) filter.push(opts.search);
  const { sort } = opts;
  if (sort.after) {
    const id = new Types.ObjectId(sort.after.id);
    if (sort.by === "new") {
      const at = new Date(sort.after.t);
      filter.push({ $or: [{ published_at: { $lt: at } }, { published_at: at, _id: { $lt: id } }] });
    } else {
      filter.push({ $or: [{ reads_7d: { $lt: sort.after.r } }, { reads_7d: sort.after.r, _id: { $lt: id } }] });
    }
  }
  const order: Record<string, -1> = sort.by === "new" ? { published_at: -1, _id: -1 } : { reads_7d: -1, _id: -1 };
  const rows = await BookModel.find({ $and: filter }).sort(order).limit(opts.limit + 1).lean();
  return rows.map(toBook);
}

/** Genres with their number of published books, most books first. */
export async function listGenres(now: Date): Promise<Array<{ genre: string; book_count: number }>> {
  const rows = await BookModel.aggregate<{ _id: string; n: number }>([
    { $match: { published_at: { $ne: null, $lte: now } } },
    { $group: { _id: "$genre", n: { $sum: 1 } } },
    { $sort: { n: -1, _id: 1 } },
  ]);
  return rows.map((r) => ({ genre: r._id, book_count: r.n }));
}

export async function findLatestChapter(bookId: string, number: number): Promise<ChapterRow | null> {
  const row = await ChapterModel.findOne({ book_id: bookId, number }).sort({ version: -1 }).lean();
  return row ? toChapter(row) : null;
}

export async function findChapterVersion(bookId: string, number: number, version: number): Promise<ChapterRow | null> {
  const row = await ChapterModel.findOne({ book_id: bookId, number, version }).lean();
  return row ? toChapter(row) : null;
}

/**
 * Add a chapter version (the next number for this chapter) and update the book's chapter list,
 * in the caller's transaction. Two concurrent imports of one chapter: the unique index refuses one.
 */
export async function insertChapterVersion(
  doc: { book_id: string; number: number; title: string; content: ChapterContent; ink_source: string | null; premium: boolean; flags_set: string[]; created_at: Date },
  session: ClientSession,
): Promise<ChapterRow> {
  const latest = await ChapterModel.findOne({ book_id: doc.book_id, number: doc.number }).sort({ version: -1 }).session(session).lean();
  const version = (latest?.version ?? 0) + 1;
  const [created] = await ChapterModel.create(
    [
      {
        book_id: doc.book_id,
        number: doc.number,
        version,
        title: doc.title,
        format: doc.content.format,
        native: doc.content.format === "native" ? doc.content.native : null,
        ink_json: doc.content.format === "ink" ? doc.content.ink.json : null,
        ink_source: doc.ink_source,
        premium: doc.premium,
        flags_set: doc.flags_set,
        created_at: doc.created_at,
      },
    ],
    { session },
  );
  const summary: ChapterSummary = { number: doc.number, title: doc.title, version, format: doc.content.format, premium: doc.premium };
  const book = await BookModel.findById(doc.book_id).session(session).lean();
  const chapters = [...((book?.chapters as ChapterSummary[]) ?? []).filter((c) => c.number !== doc.number), summary].sort((a, b) => a.number - b.number);
  await BookModel.updateOne({ _id: doc.book_id }, { $set: { chapters, chapter_count: chapters.length, updated_at: doc.created_at } }, { session });
  return toChapter(created!.toObject());
}

/** Flags the latest versions of chapters 1..number-1 can set. */
export async function flagsSetBefore(bookId: string, number: number): Promise<string[]> {
  const rows = await ChapterModel.find({ book_id: bookId, number: { $lt: number } }, { number: 1, version: 1, flags_set: 1 }).sort({ number: 1, version: -1 }).lean();
  const latest = new Map<number, string[]>();
  for (const r of rows) if (!latest.has(r.number)) latest.set(r.number, r.flags_set as string[]);
  return [...new Set([...latest.values()].flat())];
}

/** One more read of the book today, in the caller's transaction. */
export async function countRead(bookId: string, day: string, session: ClientSession): Promise<void> {
  await BookReadsDailyModel.updateOne({ book_id: bookId, day }, { $inc: { count: 1 } }, { upsert: true, session });
}

/** reads_7d := the sum of the book's daily counts from `fromDay` on. */
export async function refreshReads7d(bookId: string, fromDay: string): Promise<number> {
  const rows = await BookReadsDailyModel.find({ book_id: bookId, day: { $gte: fromDay } }, { count: 1 }).lean();
  const reads = rows.reduce((sum, r) => sum + (r.count ?? 0), 0);
  await BookModel.updateOne({ _id: bookId }, { $set: { reads_7d: reads } });
  return reads;
}

/** Books whose reads_7d may have moved as days left the window: those with any count. */
export async function booksWithReads(): Promise<string[]> {
  const rows = await BookModel.find({ reads_7d: { $gt: 0 } }, { _id: 1 }).lean();
  return rows.map((r) => String(r._id));
}
