import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * The sample book shipped under src/fiction/content/crown-and-gate: every chapter as native JSON,
 * chapter 2 also as Ink source. `npm run seed` imports it; tests play it.
 */
export const SAMPLE_BOOK_DIR = path.join(__dirname, "content", "crown-and-gate");
export const SAMPLE_CHAPTERS = [1, 2, 3] as const;
/** The chapter written in both formats. */
export const SAMPLE_INK_CHAPTER = 2;

export interface SampleBookMeta {
  title: string;
  description: string;
  cover_url: string;
  genre: string;
  tags: string[];
}

function read(file: string): string {
  return readFileSync(path.join(SAMPLE_BOOK_DIR, file), "utf8");
}

export function sampleBookMeta(): SampleBookMeta {
  return JSON.parse(read("book.json")) as SampleBookMeta;
}

/** The native chapter document, as an author would upload it (unvalidated JSON). */
export function sampleNativeChapter(n: number): unknown {
  return JSON.parse(read(`chapter-${n}.json`));
}

export function sampleInkSource(n: number = SAMPLE_INK_CHAPTER): string {
  return read(`chapter-${n}.ink`);
}
