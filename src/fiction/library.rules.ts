import { createHash } from "node:crypto";
import type { NativeChapter } from "./content.types";

/** Pure rules of the library: search tokens, popularity window, chapter presentation, ETags. */

/** Popularity counts chapter completions over this many days (the product's "trending this week"). */
export const POPULARITY_DAYS = 7;
/** A book's token list stays small enough to index: a description is a paragraph, not a novel. */
const MAX_TOKENS = 300;
/** A query longer than this is not a title search. */
export const MAX_QUERY_TOKENS = 8;

/** Lower-cased words without accents ("Café Déjà-vu" → ["cafe", "deja", "vu"]), unique, in order. */
export function searchTokens(text: string): string[] {
  const words = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, MAX_TOKENS);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The filter for `q`: every word must be one of the book's tokens, the last one as a prefix (so
 * "crown ga" finds "The Crown and the Gate" while typing). Null when `q` has no word at all.
 */
export function searchFilter(q: string): Record<string, unknown> | null {
  const words = searchTokens(q).slice(0, MAX_QUERY_TOKENS);
  if (words.length === 0) return null;
  const last = words[words.length - 1]!;
  const exact = words.slice(0, -1);
  const clauses: Record<string, unknown>[] = [{ search_tokens: { $regex: `^${escapeRegex(last)}` } }];
  if (exact.length > 0) clauses.unshift({ search_tokens: { $all: exact } });
  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}

/** UTC calendar day "YYYY-MM-DD". */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The first day of the popularity window ending on `now`'s day. */
export function popularityWindowStart(now: Date): string {
  return utcDay(new Date(now.getTime() - (POPULARITY_DAYS - 1) * 86_400_000));
}

/**
 * What a client may cache of a native chapter: the presentation only. Options keep id, text and
 * cost; effects and conditions are gone, and so is the next scene of a gated option (one with
 * conditions or a cost), so the content does not say what a condition or a payment leads to.
 */
export function nativePresentation(chapter: NativeChapter) {
  const scenes: Record<string, unknown> = {};
  for (const [id, scene] of Object.entries(chapter.scenes)) {
    scenes[id] = {
      background: scene.background ?? null,
      music: scene.music ?? null,
      timeline: scene.timeline,
      ...(scene.nextSceneId !== undefined ? { nextSceneId: scene.nextSceneId } : {}),
      ...(scene.choice
        ? {
            choice: {
              prompt: scene.choice.prompt ?? null,
              options: scene.choice.options.map((o) => ({
                id: o.id,
                text: o.text,
                ...(o.cost !== undefined ? { cost: o.cost } : {}),
                // gated: conditions or a cost; the server tells where it leads after the choice is made
                ...(o.conditions === undefined && o.cost === undefined ? { nextSceneId: o.nextSceneId } : {}),
              })),
            },
          }
        : {}),
      ...(scene.end ? { end: true } : {}),
    };
  }
  return { startSceneId: chapter.startSceneId, scenes };
}

export function hasPremiumOption(chapter: NativeChapter): boolean {
  return Object.values(chapter.scenes).some((s) => s.choice?.options.some((o) => (o.cost ?? 0) > 0));
}

/** Strong ETag of a response body: the same bytes, the same tag. */
export function strongEtag(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url")}"`;
}

/** If-None-Match (a list, or `*`) matches the current tag; weak comparison, as RFC 9110 asks for GET. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => bare(t) === bare(etag));
}
