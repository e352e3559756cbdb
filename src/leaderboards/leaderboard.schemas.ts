import { z } from "zod";
import { pageQuerySchema } from "../shared/pagination";

/** Edge schemas for leaderboards. Whether a board takes a scope, and season formats, are rules. */

/** Board ids are the snake_case names in leaderboard.rules.ts BOARDS. */
export const boardIdParams = z.object({ board_id: z.string().regex(/^[a-z0-9_]{1,64}$/, "must be a board id") }).strict();

/** A stream or book id (ObjectId hex today; any short slug-like id is accepted). */
export const scopeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a stream or book id");

/** `current` or a season id (`2026-W49`, `2026-12`, `2026-12-01`, `all`), checked against the board. */
const periodSchema = z.string().regex(/^[A-Za-z0-9-]{1,16}$/, "must be 'current' or a season id").default("current");

export const boardQuerySchema = pageQuerySchema.extend({ scope_id: scopeIdSchema.optional(), period: periodSchema }).strict();
export type BoardQuery = z.infer<typeof boardQuerySchema>;

export const myRankQuerySchema = z.object({ scope_id: scopeIdSchema.optional(), period: periodSchema }).strict();
export type MyRankQuery = z.infer<typeof myRankQuerySchema>;

/** An offset into the partition: ranks move while a client pages, as on every live leaderboard. */
export const offsetCursor = z.object({ o: z.number().int().min(0).max(1_000_000) }).strict();
