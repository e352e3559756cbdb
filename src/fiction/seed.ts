import { config } from "../config";
import { connectDatabase, disconnectDatabase } from "../infra/database";
import { logger } from "../logger";
import { BookModel } from "./book.model";
import * as library from "./library.service";
import { SAMPLE_CHAPTERS, SAMPLE_INK_CHAPTER, sampleBookMeta, sampleInkSource, sampleNativeChapter } from "./sample-book";

/**
 * `npm run seed`: import the sample book through the same validated import as the admin API.
 * Chapter 2 goes in as Ink source (so the seeded book exercises both formats), 1 and 3 as native.
 * Idempotent: a book with the sample's title is left alone. Never run at boot.
 */
export async function seedSampleBook(opts: { inkChapter?: number | null } = {}): Promise<{ book_id: string; created: boolean }> {
  const meta = sampleBookMeta();
  const existing = await BookModel.findOne({ title: meta.title }, { _id: 1 }).lean();
  if (existing) return { book_id: String(existing._id), created: false };
  const book = await library.createBook({ ...meta, published: true });
  const inkChapter = opts.inkChapter === undefined ? SAMPLE_INK_CHAPTER : opts.inkChapter;
  for (const n of SAMPLE_CHAPTERS) {
    if (n === inkChapter) {
      const title = (sampleNativeChapter(n) as { title: string }).title;
      await library.importChapter(book.id, { format: "ink", number: n, title, source: sampleInkSource(n) });
    } else {
      await library.importChapter(book.id, { format: "native", number: n, content: sampleNativeChapter(n) });
    }
  }
  return { book_id: book.id, created: true };
}

/** Run alone (`tsx src/fiction/seed.ts`): the sample book only; `npm run seed` seeds everything. */
if (require.main === module) {
  (async () => {
    await connectDatabase(config());
    const result = await seedSampleBook();
    logger.info(result, result.created ? "sample book seeded" : "sample book already there");
    await disconnectDatabase();
  })().catch((err: unknown) => {
    logger.error({ err }, "seed failed");
    process.exit(1);
  });
}
