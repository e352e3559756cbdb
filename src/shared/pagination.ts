import { z } from "zod";
import { Types } from "mongoose";
import { sharedErrors } from "./shared.errors";

/**
 * Cursor pagination. A cursor is an opaque base64url JSON of the last item's sort key; a page asks
 * for `limit + 1` rows to know whether there is a next page without a count query.
 */
export const DEFAULT_PAGE_SIZE = 20;
/** Larger pages would let one request pin the event loop on serialization. */
export const MAX_PAGE_SIZE = 100;

/**
 * Cursors we issue are well under 200 characters; a longer one is refused as a bad cursor before
 * any decoding (the URL itself is bounded by Node's header limit).
 */
export const MAX_CURSOR_LENGTH = 512;
/** The `cursor` query parameter: any string; decodeCursor decides (400 invalid_cursor). */
export const cursorParam = z.string().optional();

export const pageQuerySchema = z
  .object({
    cursor: cursorParam,
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  })
  .strict();
export type PageQuery = z.infer<typeof pageQuerySchema>;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * Decode a cursor against its list's shape. Every way a cursor can be wrong — not base64url, not
 * JSON, wrong types, extra keys (`__proto__` included: shapes are strict), out-of-range times, bad
 * ids, too long — is the client's error: 400 invalid_cursor, never a failed cast deeper down.
 */
export function decodeCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new RangeError("cursor too long");
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: a cursor that does not parse is a client error, not a server one
  }
  throw sharedErrors.invalidCursor();
}

/** Turn `limit + 1` fetched rows into a page, deriving the next cursor from the last row kept. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => unknown): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return { items, next_cursor: hasMore ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}

/**
 * Newest-first lists sorted by (a time field desc, _id desc): the cursor is the last row's time and
 * id, the id breaking ties between rows written in the same millisecond.
 */
/** Epoch ms a Date can hold (±8.64e15); outside it `new Date(t)` is Invalid Date and the query cast fails. */
export const MAX_DATE_MS = 8.64e15;
/** A time in a cursor: whole ms from the epoch to the last representable date (rows are never older than 1970). */
export const cursorTime = z.number().int().min(0).max(MAX_DATE_MS);
export const timeIdCursor = z.object({ t: cursorTime, id: z.string().regex(/^[0-9a-f]{24}$/) }).strict();
export type TimeIdKey = z.infer<typeof timeIdCursor>;

export function timeIdKey(time: Date, id: unknown): TimeIdKey {
  return { t: time.getTime(), id: String(id) };
}

/** The filter for rows after `after` in (field desc, _id desc) order; empty for the first page. */
export function afterTimeId(after: TimeIdKey | undefined, field = "created_at"): { $or?: Record<string, unknown>[] } {
  if (!after) return {};
  const at = new Date(after.t);
  return { $or: [{ [field]: { $lt: at } }, { [field]: at, _id: { $lt: new Types.ObjectId(after.id) } }] };
}
