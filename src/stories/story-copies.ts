import { findStoriesByIds, type StoryRef, type StoryRow } from "./story.repository";

/**
 * Full stories at the revisions a projected read just returned (the feed's candidates carry
 * `rev`): a copy this process holds at the same rev is the current story, because every write
 * bumps it (story.model.ts), on any process; only the others are read, in one round trip. The
 * copies live in a bounded LRU, so the feed no longer decodes 60 whole stories per page.
 */
export async function findStoriesAtRevs(wanted: readonly StoryRef[]): Promise<StoryRow[]> {
  const out: StoryRow[] = [];
  const missing: string[] = [];
  for (const w of wanted) {
    const held = storyCopies.get(w._id);
    if (held && held.rev === w.rev) {
      storyCopies.delete(w._id); // LRU: most recently used last
      storyCopies.set(w._id, held);
      out.push(held);
    } else missing.push(w._id);
  }
  for (const row of await findStoriesByIds(missing)) {
    storyCopies.delete(row._id);
    storyCopies.set(row._id, row);
    out.push(row);
  }
  while (storyCopies.size > STORY_COPIES_CAP) storyCopies.delete(storyCopies.keys().next().value!);
  return out;
}
/** About 2 KB each: ~20 MB at the cap, above the feed's candidate cap (5,000) so a tray never thrashes it. */
const STORY_COPIES_CAP = 10_000;
const storyCopies = new Map<string, StoryRow>();
