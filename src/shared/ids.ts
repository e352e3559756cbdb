import { z } from "zod";
import { Types } from "mongoose";

/** A 24-hex ObjectId string, as every id in the API is. */
export const objectIdString = z.string().regex(/^[0-9a-fA-F]{24}$/, "must be a 24-character hex id");

export function newId(): string {
  return new Types.ObjectId().toHexString();
}

export function isObjectIdString(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-fA-F]{24}$/.test(value);
}
