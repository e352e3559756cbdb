/**
 * One process per data directory: two writers appending to the same journal would interleave
 * frames and corrupt each other.
 *
 * The lock is a Unix domain socket bound at `<dataDir>/mongod.lock`, which the operating system
 * releases when its holder dies, however it dies: a live holder has a listening socket and answers
 * every connection with its pid; a dead holder leaves only the socket file, and connecting to it is
 * refused (ECONNREFUSED). A pid file could not tell a dead holder from a live one reliably: a
 * kill -9'd process stays "alive" to kill(pid, 0) until it is reaped, and after a container restart
 * the stale pid is often the starting process's own or an unrelated live one.
 *
 * Opening the lock:
 * - bind succeeds → we hold it;
 * - the path exists and a connection gets a pid → live holder → DataDirLockedError;
 * - the connection is refused (a dead holder's socket, or any non-socket file such as an old pid
 *   file) → stale: move it aside (checking we moved the very file we probed) and bind again;
 * - the connection is accepted but no pid comes (the holder is being torn down after kill -9, or
 *   its event loop is busy) → retry for up to `waitMs`; a holder that still keeps its socket open
 *   then is treated as live, since only a refused connection proves nobody listens.
 */
import { promises as fs, openSync, closeSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";

export const LOCK_FILE = "mongod.lock";

/** How long an open waits for a holder that accepted a connection but has not answered (it may be dying). */
const DEFAULT_WAIT_MS = 5000;
/** How long one probe waits for the holder's pid after connecting. */
const PROBE_TIMEOUT_MS = 500;
const RETRY_DELAY_MS = 50;
/** sun_path is 108 bytes on Linux (104 on macOS); longer paths go through /proc/self/fd on Linux */
const MAX_SOCKET_PATH = 100;

export class DataDirLockedError extends Error {
  readonly code = "DATA_DIR_LOCKED";
  constructor(
    readonly dir: string,
    /** the holder's pid, or 0 when it accepted a connection but never answered */
    readonly pid: number,
  ) {
    super(
      pid > 0
        ? `data directory ${dir} is in use by live process ${pid} (lock socket ${path.join(dir, LOCK_FILE)}); stop that store first`
        : `data directory ${dir} is in use by a process that holds its lock socket ${path.join(dir, LOCK_FILE)} but does not answer; stop that store first`,
    );
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** how long to wait for a holder that is being torn down (default 5 s) */
  waitMs?: number;
}

/** live: a pid answered; stale: nobody listens; vanished: the file went away; dying: accepted, no pid (yet) */
type Probe = { kind: "live"; pid: number } | { kind: "stale" } | { kind: "vanished" } | { kind: "dying" };

export async function lockDataDir(dir: string, opts: LockOptions = {}): Promise<DataDirLock> {
  const file = path.join(dir, LOCK_FILE);
  const address = socketAddress(dir);
  const deadline = Date.now() + (opts.waitMs ?? DEFAULT_WAIT_MS);
  for (;;) {
    const server = await bind(address.path);
    if (server) return holdLock(server, file, address.close);
    const before = await inode(file);
    const probe = await probeHolder(address.path);
    if (probe.kind === "live") {
      address.close();
      throw new DataDirLockedError(dir, probe.pid);
    }
    if (probe.kind === "stale" && before !== undefined) await removeStale(file, before);
    if (probe.kind === "dying") {
      if (Date.now() >= deadline) {
        address.close();
        throw new DataDirLockedError(dir, 0);
      }
      await delay(RETRY_DELAY_MS);
    }
  }
}

function holdLock(server: net.Server, file: string, closeAddress: () => void): DataDirLock {
  // unref: holding the lock must not keep an otherwise finished process alive
  server.unref();
  server.on("connection", (sock) => {
    sock.on("error", () => {});
    sock.end(`${process.pid}\n`);
  });
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // libuv unlinks the socket file on close; this covers platforms where it does not
      await fs.rm(file, { force: true });
      closeAddress();
    },
  };
}

/** Binds a listening socket at `where`, or returns null when something already exists there. */
function bind(where: string): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") resolve(null);
      else reject(err);
    });
    server.listen({ path: where, exclusive: true }, () => resolve(server));
  });
}

function probeHolder(where: string): Promise<Probe> {
  return new Promise((resolve) => {
    let answer = "";
    let settled = false;
    const done = (p: Probe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(p);
    };
    const sock = net.connect({ path: where });
    const timer = setTimeout(() => done({ kind: "dying" }), PROBE_TIMEOUT_MS);
    sock.on("data", (chunk: Buffer) => {
      answer += chunk.toString("utf8");
      const m = /^(\d+)\n/.exec(answer);
      if (m) done({ kind: "live", pid: Number(m[1]) });
    });
    sock.on("error", (err: NodeJS.ErrnoException) => {
      // ECONNREFUSED: nobody listens (a dead holder's socket, or a plain file); ENOENT: removed meanwhile;
      // anything else (ECONNRESET while the holder is torn down, EAGAIN on a full backlog): ask again
      if (err.code === "ECONNREFUSED" || err.code === "ENOTSOCK") done({ kind: "stale" });
      else if (err.code === "ENOENT") done({ kind: "vanished" });
      else done({ kind: "dying" });
    });
    // closed without a pid: the holder is shutting down
    sock.on("close", () => done({ kind: "dying" }));
  });
}

/**
 * Moves the stale lock aside and deletes it. Another starter may have replaced it with its own live
 * socket between our probe and this rename; the inode tells, and then the live one is put back.
 */
async function removeStale(file: string, probedInode: bigint): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await fs.rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if ((await inode(aside)) !== probedInode) await fs.link(aside, file).catch(() => {});
  await fs.rm(aside, { force: true, recursive: true });
}

async function inode(file: string): Promise<bigint | undefined> {
  try {
    return (await fs.lstat(file, { bigint: true })).ino;
  } catch {
    return undefined;
  }
}

/**
 * The path to bind and connect to. A data directory whose socket path is too long for sun_path is
 * reached through an open descriptor of the directory on Linux (/proc/self/fd/N/mongod.lock).
 */
function socketAddress(dir: string): { path: string; close: () => void } {
  const direct = path.join(dir, LOCK_FILE);
  if (Buffer.byteLength(direct) <= MAX_SOCKET_PATH) return { path: direct, close: () => {} };
  if (process.platform !== "linux") {
    throw new Error(`data directory path ${dir} is too long for its lock socket (at most ${MAX_SOCKET_PATH - LOCK_FILE.length - 1} bytes)`);
  }
  const fd = openSync(dir, "r");
  let closed = false;
  return {
    path: `/proc/self/fd/${fd}/${LOCK_FILE}`,
    close: () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
