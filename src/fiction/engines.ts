import type { ChapterContent } from "./content.types";
import type { ChapterEngine } from "./engine";
import { NativeEngine } from "./native.engine";
import { InkEngine } from "./ink.engine";

/** The engine for a chapter's content, whichever format it was imported in. */
export function engineFor(content: ChapterContent): ChapterEngine {
  return content.format === "native" ? new NativeEngine(content.native) : new InkEngine(content.ink.json);
}
