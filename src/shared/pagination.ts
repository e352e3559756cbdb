import { z } from "zod";
import { Types } from "mongoose";
import { ValidationError } from "./errors";

/**
 * Cursor pagination. A cursor is an opaque base64url JSON of the last item's sort key; a page asks
 * for `limit + 1` rows to know whether there is a next page without a count query.
 */
export const DEFAULT_PAGE_SIZE = 20;
/** Larger pages would let one request pin the event loop on serialization. */
export const MAX_PAGE_SIZE = 100;

export const pageQuerySchema = z
  .object({
    cursor: z.string().max(512).optional(),
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

export function decodeCursor<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: a cursor that does not parse is a client error, not a server one
  }
  throw new ValidationError("invalid_cursor", "The cursor is not valid for this list.");
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
export const timeIdCursor = z.object({ t: z.number(), id: z.string().regex(/^[0-9a-f]{24}$/) }).strict();
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
