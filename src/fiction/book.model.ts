import { Schema, model } from "mongoose";

/**
 * The fiction library: books, their chapters (every imported version kept), and daily read
 * counts for popularity.
 */
const bookSchema = new Schema(
  {
    title: { type: String, required: true },
    description: { type: String, default: "" },
    cover_url: { type: String, default: null },
    genre: { type: String, required: true },
    tags: { type: [String], default: [] },
    // the latest version of each chapter: what GET /books/{id} lists
    chapters: { type: [Schema.Types.Mixed], default: [] },
    chapter_count: { type: Number, default: 0 },
    // null: a draft, not listed
    published_at: { type: Date, default: null },
    // chapter completions in the last 7 days, refreshed on every completion and by the popularity job
    reads_7d: { type: Number, default: 0 },
    // our text index (the embedded store has no $text yet): lower-cased, accent-free words of title + description
    search_tokens: { type: [String], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "fiction_books", versionKey: false, minimize: false },
);
// new releases, optionally by genre: published_at desc, _id desc keyset
bookSchema.index({ genre: 1, published_at: -1, _id: -1 });
bookSchema.index({ published_at: -1, _id: -1 });
// popular: reads_7d desc, _id desc keyset, optionally by genre
bookSchema.index({ genre: 1, reads_7d: -1, _id: -1 });
bookSchema.index({ reads_7d: -1, _id: -1 });
// text search: every query token must be among the book's tokens (multikey)
bookSchema.index({ search_tokens: 1 });

const chapterSchema = new Schema(
  {
    book_id: { type: String, required: true },
    number: { type: Number, required: true },
    // re-importing a chapter adds a version; a player mid-chapter keeps the version they started
    version: { type: Number, required: true },
    title: { type: String, required: true },
    format: { type: String, enum: ["native", "ink"], required: true },
    native: { type: Schema.Types.Mixed, default: null },
    ink_json: { type: String, default: null },
    ink_source: { type: String, default: null },
    // has at least one option that costs diamonds
    premium: { type: Boolean, default: false },
    // flags this chapter can set (later chapters' conditions may use them)
    flags_set: { type: [String], default: [] },
    created_at: { type: Date, required: true },
  },
  { collection: "fiction_chapters", versionKey: false, minimize: false },
);
// one document per chapter version; the latest is the highest version
chapterSchema.index({ book_id: 1, number: 1, version: -1 }, { unique: true });

const readsDailySchema = new Schema(
  {
    book_id: { type: String, required: true },
    // UTC day, "YYYY-MM-DD"
    day: { type: String, required: true },
    count: { type: Number, default: 0 },
  },
  { collection: "fiction_book_reads_daily", versionKey: false },
);
// one counter per book and day ($inc upsert); a book's last 7 days are one range scan
readsDailySchema.index({ book_id: 1, day: 1 }, { unique: true });

export const BookModel = model("FictionBook", bookSchema);
export const ChapterModel = model("FictionChapter", chapterSchema);
export const BookReadsDailyModel = model("FictionBookReadsDaily", readsDailySchema);
