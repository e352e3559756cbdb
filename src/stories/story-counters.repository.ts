import type { StickerInteraction } from "./sticker.rules";
import { StoryInteractionModel, StoryModel, StoryReactionModel, StoryReplyModel, StoryViewModel } from "./story.model";
import { oid, toInteraction, toStory, type StoryRow } from "./story.repository";

/** What the boot recount (story.maintenance.ts `repairStoryCounters`) reads and writes. */


/** Stories not yet purged, in id order after `afterId`. */
export async function findStoriesAfterId(afterId: string | null, limit: number): Promise<StoryRow[]> {
  const rows = await StoryModel.find(afterId ? { _id: { $gt: oid(afterId) } } : {})
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return rows.map(toStory);
}

async function countByStory(model: typeof StoryViewModel | typeof StoryReactionModel | typeof StoryReplyModel, ids: string[]): Promise<Map<string, number>> {
  const rows = await (model as typeof StoryViewModel).aggregate<{ _id: string; n: number }>([
    { $match: { story_id: { $in: ids } } },
    { $group: { _id: "$story_id", n: { $sum: 1 } } },
  ]);
  return new Map(rows.map((r) => [r._id, r.n]));
}

export const countViewsByStory = (ids: string[]) => countByStory(StoryViewModel, ids);
export const countReactionsByStory = (ids: string[]) => countByStory(StoryReactionModel, ids);
export const countRepliesByStory = (ids: string[]) => countByStory(StoryReplyModel, ids);

/** Every sticker answer on these stories, per story, oldest first. */
export async function interactionsByStory(ids: string[]): Promise<Map<string, StickerInteraction[]>> {
  const out = new Map<string, StickerInteraction[]>();
  const rows = await StoryInteractionModel.find({ story_id: { $in: ids } }).sort({ _id: 1 }).lean();
  for (const row of rows) out.set(row.story_id, [...(out.get(row.story_id) ?? []), toInteraction(row)]);
  return out;
}

/** Overwrite a story's counters and sticker tallies (native: stickers is a Mixed array). */
export async function setStoryCounters(
  id: string,
  counters: Pick<StoryRow, "view_count" | "reaction_count" | "reply_count" | "interaction_count" | "stickers">,
): Promise<void> {
  // native (stickers is a Mixed array): the model's rev hook does not run, so the bump is written out
  await StoryModel.collection.updateOne({ _id: oid(id) }, { $set: { ...counters }, $inc: { rev: 1 } });
}

