import mongoose from "mongoose";
import { StoryModel } from "./story.model";
import { TOP_CREATORS, type MetricsWindow, type StoryTotals } from "./story-metrics.rules";

/**
 * The aggregations behind the admin story metrics. Each starts with a `$match` on
 * (community_id, created_at) or (created_at) — indexes on the stories collection — so the store
 * reads only the window's stories.
 */

export interface CreatorFigures {
  user_id: string;
  story_count: number;
  total_views: number;
  total_reactions: number;
}

const inWindow = (communityId: string | undefined, w: MetricsWindow) => ({
  ...(communityId !== undefined ? { community_id: communityId } : {}),
  created_at: { $gte: w.from, $lt: w.to },
});

/** Totals and the top creators over the stories posted in the window, in one aggregation. */
export async function windowFigures(communityId: string | undefined, w: MetricsWindow): Promise<{ totals: StoryTotals; creators: CreatorFigures[] }> {
  const [out] = await StoryModel.aggregate<{ totals: (StoryTotals & { _id: null })[]; creators: (Omit<CreatorFigures, "user_id"> & { _id: string })[] }>([
    { $match: inWindow(communityId, w) },
    {
      $facet: {
        totals: [
          {
            $group: {
              _id: null,
              stories: { $sum: 1 },
              views: { $sum: "$view_count" },
              reactions: { $sum: "$reaction_count" },
              replies: { $sum: "$reply_count" },
              interactions: { $sum: "$interaction_count" },
            },
          },
        ],
        creators: [
          { $group: { _id: "$user_id", story_count: { $sum: 1 }, total_views: { $sum: "$view_count" }, total_reactions: { $sum: "$reaction_count" } } },
          { $sort: { story_count: -1, total_views: -1, _id: 1 } },
          { $limit: TOP_CREATORS },
        ],
      },
    },
  ]);
  const t = out?.totals[0];
  return {
    totals: { stories: t?.stories ?? 0, views: t?.views ?? 0, reactions: t?.reactions ?? 0, replies: t?.replies ?? 0, interactions: t?.interactions ?? 0 },
    creators: (out?.creators ?? []).map(({ _id, ...c }) => ({ user_id: _id, ...c })),
  };
}

/** Stories live at `at`: posted by then, expiring after it, not deleted. */
export async function countActiveAt(communityId: string | undefined, at: Date): Promise<number> {
  return StoryModel.countDocuments({
    ...(communityId !== undefined ? { community_id: communityId } : {}),
    is_deleted: false,
    created_at: { $lte: at },
    expires_at: { $gt: at },
  });
}

/**
 * Reports are filed by the moderation feature into the `reports` collection
 * (`{target_type: "story", target_id, ...}`). Read it directly, tolerating its absence: no
 * collection, no report, 0. Distinct reported story ids first (a small set: the target is < 1%),
 * then how many of them are stories of this window.
 */
export const REPORTS_COLLECTION = "reports";

export async function countReportedStories(communityId: string | undefined, w: MetricsWindow): Promise<number> {
  const db = mongoose.connection.db;
  if (!db) return 0;
  const ids = (await db.collection(REPORTS_COLLECTION).distinct("target_id", { target_type: "story" })).map(String).filter((id) => /^[0-9a-f]{24}$/i.test(id));
  if (ids.length === 0) return 0;
  return StoryModel.countDocuments({ ...inWindow(communityId, w), _id: { $in: ids } });
}
