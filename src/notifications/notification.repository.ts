import { Types, type ClientSession } from "mongoose";
import { afterTimeId, type TimeIdKey } from "../shared/pagination";
import { isObjectIdString } from "../shared/ids";
import { NotificationModel } from "./notification.model";

/** Notification rows in the store; plain objects out. Writes accept an optional session. */
export type NotificationRow = Record<string, any>;

export async function insertNotification(row: Record<string, unknown>, session?: ClientSession): Promise<NotificationRow> {
  const [doc] = await NotificationModel.create([row], { session });
  return doc!.toObject();
}

export async function countUnread(userId: string): Promise<number> {
  return NotificationModel.countDocuments({ user_id: userId, is_read: false });
}

/** One page of a user's notifications, newest first after the keyset `after`. */
export async function listForUser(userId: string, after: TimeIdKey | undefined, limit: number): Promise<NotificationRow[]> {
  return NotificationModel.find({ user_id: userId, ...afterTimeId(after) })
    .sort({ created_at: -1, _id: -1 })
    .limit(limit)
    .lean();
}

/** Mark the user's unread notifications read (only those ids, when given); how many changed. */
export async function markReadForUser(userId: string, ids: string[] | undefined, now: Date, session?: ClientSession): Promise<number> {
  const filter: Record<string, unknown> = { user_id: userId, is_read: false };
  if (ids !== undefined) filter._id = { $in: ids.filter(isObjectIdString).map((id) => new Types.ObjectId(id)) };
  const res = await NotificationModel.updateMany(filter, { $set: { is_read: true, read_at: now } }, { session });
  return res.modifiedCount;
}
