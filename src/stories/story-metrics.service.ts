import { z } from "zod";
import type { Principal } from "../auth/roles";
import { hasRole } from "../auth/roles";
import { findUsersByIds } from "../auth/user.repository";
import { actingRole } from "../communities/community.service";
import { canModerate } from "../communities/community.rules";
import { communityErrors } from "../communities/community.errors";
import { findCommunityById } from "../communities/community.repository";
import { clock } from "../shared/clock";
import { ForbiddenError } from "../shared/errors";
import { objectIdString } from "../shared/ids";
import { activeAt, engagementRate, MAX_WINDOW_DAYS, metricsWindow, reportedRate } from "./story-metrics.rules";
import * as repo from "./story-metrics.repository";

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

export const metricsResponse = z
  .object({
    community_id: z.string().nullable(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    total_stories_today: z.number().int(),
    active_stories: z.number().int(),
    total_views: z.number().int(),
    total_reactions: z.number().int(),
    top_creators: z.array(
      z
        .object({
          user_id: z.string(),
          username: z.string().nullable(),
          display_name: z.string().nullable(),
          story_count: z.number().int(),
          total_views: z.number().int(),
          total_reactions: z.number().int(),
        })
        .strict(),
    ),
    engagement_rate: z.number(),
    reported_rate: z.number(),
  })
  .strict()
  .meta({ id: "StoryMetrics" });
export type StoryMetrics = z.infer<typeof metricsResponse>;

/** Site admins see any community or all stories; a community's owner and admins see theirs. */
async function authorize(principal: Principal, communityId: string | undefined): Promise<void> {
  if (communityId === undefined) {
    if (!hasRole(principal, "admin")) throw new ForbiddenError("forbidden_role", "Metrics over all stories need the admin role; community admins pass community_id.");
    return;
  }
  if (!(await findCommunityById(communityId))) throw communityErrors.notFound();
  if (!canModerate(await actingRole(principal, communityId), "view_metrics")) throw communityErrors.notAllowed("view_metrics");
}

export async function storyMetrics(principal: Principal, query: MetricsQuery): Promise<Omit<StoryMetrics, "from" | "to"> & { from: Date; to: Date }> {
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
