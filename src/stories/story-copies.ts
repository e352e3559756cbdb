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
    // a story never written since it was posted has no rev: 0 on both sides
    if (held && (held.row.rev ?? 0) === (w.rev ?? 0)) {
      // LRU, approximately: a copy used again moves to the young end only once it has aged past half
      // the cap, so a hot tray does not reorder the map on every page
      if (inserted - held.at > STORY_COPIES_CAP / 2) hold(held.row);
      out.push(held.row);
    } else missing.push(w._id);
  }
  for (const row of await findStoriesByIds(missing)) {
    hold(row);
    out.push(row);
  }
  while (storyCopies.size > STORY_COPIES_CAP) storyCopies.delete(storyCopies.keys().next().value!);
  return out;
}
/** About 2 KB each: ~20 MB at the cap, above the feed's candidate cap (5,000) so a tray never thrashes it. */
const STORY_COPIES_CAP = 10_000;
/** Oldest first (a Map keeps insertion order); `at` is the insertion count when it was (re)inserted. */
const storyCopies = new Map<string, { row: StoryRow; at: number }>();
let inserted = 0;

function hold(row: StoryRow): void {
  storyCopies.delete(row._id);
  storyCopies.set(row._id, { row, at: ++inserted });
}
