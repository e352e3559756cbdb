/**
 * One process per data directory: two writers appending to the same journal would interleave
 * frames and corrupt each other. The lock file holds the owner's pid; a lock whose pid is no
 * longer alive (the owner was kill -9'd) is stale and taken over.
 */
import { promises as fs } from "node:fs";
import path from "node:path";

export const LOCK_FILE = "mongod.lock";

export class DataDirLockedError extends Error {
  readonly code = "DATA_DIR_LOCKED";
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`data directory ${dir} is in use by live process ${pid} (lock file ${path.join(dir, LOCK_FILE)})`);
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const file = path.join(dir, LOCK_FILE);
  // two rounds: the second one runs after removing a stale lock; losing that race to another
  // process that also saw it stale surfaces as a live-pid error, which is the truth
  for (let round = 0; round < 2; round++) {
    try {
      const fh = await fs.open(file, "wx");
      await fh.writeFile(`${process.pid}\n`);
      await fh.sync();
      await fh.close();
      return {
        release: async () => {
          await fs.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number.parseInt((await fs.readFile(file, "utf8").catch(() => "")).trim(), 10);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) throw new DataDirLockedError(dir, holder);
    // empty/garbled (crash while writing the pid) or a dead pid: stale. Two processes reclaiming the
    // same stale lock at the same instant can both win (no flock in Node); starting two stores on
    // one directory at the same millisecond after a crash is not a case we defend against.
    await fs.rm(file, { force: true });
  }
  throw new Error(`could not take the lock on data directory ${dir}: another process keeps taking it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else — still alive
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
