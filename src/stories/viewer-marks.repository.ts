import type { StickerInteraction } from "./sticker.rules";
import { StoryInteractionModel, StoryViewModel } from "./story.model";
import { interactionsPerStory } from "./story.repository";

/** What one viewer did on some stories: which they saw, and their sticker answers per story. */
export interface ViewerMarks {
  seen: Set<string>;
  interactions: Map<string, Map<number, StickerInteraction>>;
}

type Row = Record<string, any>;

/**
 * What the viewer saw and answered among `storyIds` in one store command, for presenting
 * stories to a viewer: their view rows and their sticker answers are the two branches of one
 * `$unionWith` aggregate, each opening with a `$match` on its index, grouped into two rows so the
 * answer always fits the first batch.
 */
export async function viewerMarksOn(viewerId: string, storyIds: string[]): Promise<ViewerMarks> {
  if (storyIds.length === 0) return { seen: new Set(), interactions: new Map() };
  const groups = await StoryViewModel.aggregate<{ _id: "seen" | "answered"; rows: Row[] }>([
    { $match: { viewer_id: viewerId, story_id: { $in: storyIds } } },
    { $project: { _id: 0, k: { $literal: "seen" }, story_id: 1 } },
    { $unionWith: { coll: StoryInteractionModel.collection.collectionName, pipeline: [{ $match: { user_id: viewerId, story_id: { $in: storyIds } } }, { $set: { k: "answered" } }] } },
    { $group: { _id: "$k", rows: { $push: "$$ROOT" } } },
  ]);
  const rowsOf = (k: "seen" | "answered") => groups.find((g) => g._id === k)?.rows ?? [];
  return { seen: new Set(rowsOf("seen").map((r) => r.story_id as string)), interactions: interactionsPerStory(rowsOf("answered")) };
}
