import { z } from "zod";
import type { Principal } from "../auth/roles";
import { hasRole } from "../auth/roles";
import { findUsersByIds } from "../auth/user.repository";
import { actingRole } from "../communities/community.service";
import { canModerate } from "../communities/community.rules";
import { communityErrors } from "../communities/community.errors";
import { findCommunityById } from "../communities/community.repository";
import { clock } from "../shared/clock";
import { objectIdString } from "../shared/ids";
import { activeAt, engagementRate, MAX_WINDOW_DAYS, metricsWindow, reportedRate } from "./story-metrics.rules";
import * as repo from "./story-metrics.repository";
import { storyErrors } from "./story.errors";

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const metricsQuerySchema = z
  .object({ community_id: objectIdString.optional(), from: isoDate.optional(), to: isoDate.optional() })
  .strict()
  .superRefine((q, ctx) => {
    // zod runs this even when a field failed: only compare dates that parsed
    const from = q.from instanceof Date ? q.from : undefined;
    const to = q.to instanceof Date ? q.to : undefined;
    if (from && to && from.getTime() >= to.getTime()) ctx.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
    if (from && (to?.getTime() ?? Date.now()) - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
      ctx.addIssue({ code: "custom", path: ["from"], message: `a window spans at most ${MAX_WINDOW_DAYS} days` });
    }
  });
export type MetricsQuery = z.infer<typeof metricsQuerySchema>;

/** Story figures over one window (GET /admin/stories/metrics); the response schema is in story-metrics.responses.ts. */
export interface StoryMetrics {
  community_id: string | null;
  from: Date;
  to: Date;
  total_stories_today: number;
  active_stories: number;
  total_views: number;
  total_reactions: number;
  top_creators: { user_id: string; username: string | null; display_name: string | null; story_count: number; total_views: number; total_reactions: number }[];
  engagement_rate: number;
  reported_rate: number;
}

/** Site admins see any community or all stories; a community's owner and admins see theirs. */
async function authorize(principal: Principal, communityId: string | undefined): Promise<void> {
  if (communityId === undefined) {
    if (!hasRole(principal, "admin")) throw storyErrors.metricsNeedAdmin();
    return;
  }
  if (!(await findCommunityById(communityId))) throw communityErrors.notFound();
  if (!canModerate(await actingRole(principal, communityId), "view_metrics")) throw communityErrors.notAllowed("view_metrics");
}

export async function storyMetrics(principal: Principal, query: MetricsQuery): Promise<StoryMetrics> {
  await authorize(principal, query.community_id);
  const now = clock.now();
  const window = metricsWindow(now, query.from, query.to);
  const [{ totals, creators }, active, reported] = await Promise.all([
    repo.windowFigures(query.community_id, window),
    repo.countActiveAt(query.community_id, activeAt(window, now)),
    repo.countReportedStories(query.community_id, window),
  ]);
  const users = new Map((await findUsersByIds(creators.map((c) => c.user_id))).map((u) => [u.id, u]));
  return {
    community_id: query.community_id ?? null,
    from: window.from,
    to: window.to,
    total_stories_today: totals.stories,
    active_stories: active,
    total_views: totals.views,
    total_reactions: totals.reactions,
    top_creators: creators.map((c) => ({ ...c, username: users.get(c.user_id)?.username ?? null, display_name: users.get(c.user_id)?.display_name ?? null })),
    engagement_rate: engagementRate(totals),
    reported_rate: reportedRate(reported, totals.stories),
  };
}
