import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { isDuplicateKeyError } from "../shared/errors";

/**
 * A lease per background job in MongoDB (`job_locks`): one findOneAndUpdate is atomic across
 * processes, so exactly one process runs a job at a time, whatever presence is configured. A lease
 * expires on its own (`locked_until`), so a crashed holder blocks the job for one TTL at most.
 */
const OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

interface LockDoc {
  _id: string;
  owner: string;
  locked_until: Date;
}

function locks() {
  return mongoose.connection.collection<LockDoc>("job_locks");
}

/** Take the lease if free (or expired, or already ours); false when another process holds it. */
export async function claimJobLock(name: string, ttlMs: number, now: Date): Promise<boolean> {
  try {
    const res = await locks().findOneAndUpdate(
      { _id: name, $or: [{ locked_until: { $lte: now } }, { owner: OWNER }] },
      { $set: { owner: OWNER, locked_until: new Date(now.getTime() + ttlMs) } },
      { upsert: true, returnDocument: "after" },
    );
    return res?.owner === OWNER;
  } catch (err) {
    // the lease exists and is held by someone else: the upsert's insert collides on _id
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Give the lease back early so the next tick (on any process) need not wait for the TTL. */
export async function releaseJobLock(name: string): Promise<void> {
  await locks().updateOne({ _id: name, owner: OWNER }, { $set: { locked_until: new Date(0) } });
}
