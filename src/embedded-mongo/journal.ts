/**
 * Durability for the embedded store: an append-only journal of write batches plus a snapshot,
 * following the contract in journal.types.ts.
 *
 * Files in the data directory:
 *   mongod.lock    Unix socket the owning process listens on (journal-lock.ts)
 *   snapshot.bson  frames: { kind: "snapshot", gen } · record frames · { kind: "end", records }
 *   journal.log    frames: { kind: "journal", gen } · one frame per appended batch
 *
 * Generations make compaction crash-safe without a two-file commit: compaction writes snapshot
 * gen N+1 (temp file, fsync, rename, fsync dir) and then replaces the journal with an empty one of
 * gen N+1 the same way. A crash between the two renames leaves snapshot N+1 beside journal N;
 * recovery sees the journal is older than the snapshot, knows its batches are inside the snapshot,
 * and discards it. Journal newer than the snapshot means the snapshot was lost: refuse to open.
 *
 * The engine must make `apply` idempotent for snapshot records (put = upsert by _id,
 * createCollection/createIndex tolerate "already exists"), and must call `append` in the same
 * synchronous step that changed memory: compaction snapshots memory at the moment `compact` (or
 * the automatic trigger) runs and assumes every change visible there is already queued.
 */
import { promises as fs, constants as fsConstants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { serialize, type Document } from "bson";
import { deserializeCanonical } from "./engine/types";
import { encodeFrame, frameFromParts, readFrame, countValidFramesAfter, type DecodeDocument, type FrameRead } from "./journal-frame";
import { lockDataDir, type DataDirLock } from "./journal-lock";
import type {
  FsyncPolicy,
  Journal,
  JournalOptions,
  JournalRecord,
  OpenJournal,
  RecoveryReport,
} from "./journal.types";

export const JOURNAL_FILE = "journal.log";
export const SNAPSHOT_FILE = "snapshot.bson";
const TEMP_SUFFIX = ".tmp";

/** Replaying 64 MB of journal takes well under a second; beyond that, restart time starts to show. */
const DEFAULT_COMPACT_AFTER_BYTES = 64 * 1024 * 1024;
/** Snapshot frames are cut at ~1 MB so neither writing nor reading needs one huge buffer per frame. */
const SNAPSHOT_FRAME_BYTES = 1024 * 1024;

export interface JournalOpenOptions extends JournalOptions {
  /**
   * How a stored record is decoded on recovery. Default: the engine's own wire decoding
   * (`deserializeCanonical`: no promotion, then its canonical number form), so a recovered document is
   * indistinguishable from one that just arrived over the wire and re-serializes to the same BSON types.
   */
  decode?: DecodeDocument;
  /**
   * Enables automatic compaction once the journal passes `compactAfterBytes`: called at that
   * moment to dump the live state (same shape as `compact`'s argument).
   */
  snapshotSource?: () => Iterable<JournalRecord>;
  /** where recovery problems are reported; default stderr, because lost data must not be quiet */
  log?: (message: string) => void;
}

type Job =
  | { kind: "append"; frame: Buffer; resolve: () => void; reject: (err: Error) => void }
  | { kind: "compact"; frames: Buffer[]; resolve: () => void; reject: (err: Error) => void }
  | { kind: "close"; resolve: () => void; reject: (err: Error) => void };

export const openJournal: OpenJournal = async (opts: JournalOpenOptions, apply) => {
  const dir = path.resolve(opts.dir);
  const decode = opts.decode ?? deserializeCanonical;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[embedded-mongo journal] ${m}\n`));
  await fs.mkdir(dir, { recursive: true });
  const lock = await lockDataDir(dir);
  try {
    // a temp file is a compaction that never reached its rename: the originals are still authoritative
    await fs.rm(path.join(dir, SNAPSHOT_FILE + TEMP_SUFFIX), { force: true });
    await fs.rm(path.join(dir, JOURNAL_FILE + TEMP_SUFFIX), { force: true });

    const report: RecoveryReport = { batchesReplayed: 0, recordsReplayed: 0, snapshotLoaded: false };
    const snapshotGen = await loadSnapshot(dir, decode, apply, report);
    const journal = await recoverJournal(dir, snapshotGen, decode, apply, report, log);
    const instance = new FileJournal(dir, opts, lock, journal.fh, journal.size, snapshotGen, log);
    return { journal: instance, report };
  } catch (err) {
    await lock.release();
    throw err;
  }
};

/** Returns the snapshot's generation (0 when there is none). A damaged snapshot stops the open. */
async function loadSnapshot(
  dir: string,
  decode: DecodeDocument,
  apply: (rec: JournalRecord) => void,
  report: RecoveryReport,
): Promise<number> {
  const file = path.join(dir, SNAPSHOT_FILE);
  const buf = await readIfExists(file);
  if (!buf) return 0;
  const damaged = (why: string) =>
    new Error(`snapshot ${file} is damaged (${why}); it is only ever replaced by an atomic rename, so this is disk corruption — restore it from a backup`);
  const header = readFrame(buf, 0, decode);
  if (!header.ok) throw damaged(`header: ${header.reason}`);
  const head = header.docs[0];
  if (head?.kind !== "snapshot") throw damaged("header is not a snapshot header");
  // the whole snapshot is decoded before anything is applied, so a damaged one changes nothing
  const records: JournalRecord[] = [];
  let offset = header.next;
  let ended = false;
  while (offset < buf.length) {
    const frame = readFrame(buf, offset, decode);
    if (!frame.ok) throw damaged(`at byte ${offset}: ${frame.reason}`);
    for (const doc of frame.docs) {
      if (doc.kind === "end") {
        if (Number(doc.records) !== records.length) throw damaged(`end marker says ${doc.records} records, found ${records.length}`);
        ended = true;
      } else {
        records.push(toRecord(doc));
      }
    }
    offset = frame.next;
  }
  if (!ended) throw damaged("no end marker");
  for (const rec of records) apply(rec);
  report.snapshotLoaded = true;
  return Number(head.gen);
}

async function recoverJournal(
  dir: string,
  snapshotGen: number,
  decode: DecodeDocument,
  apply: (rec: JournalRecord) => void,
  report: RecoveryReport,
  log: (message: string) => void,
): Promise<{ fh: FileHandle; size: number }> {
  const file = path.join(dir, JOURNAL_FILE);
  const buf = await readIfExists(file);
  if (!buf || buf.length === 0) return createJournalFile(dir, snapshotGen);

  const header = readFrame(buf, 0, decode);
  const head = header.ok ? header.docs[0] : undefined;
  if (!header.ok || head?.kind !== "journal") {
    // the header is written via temp file + rename, so it is never torn by a crash
    throw new Error(`journal ${file} has an unreadable header (${header.ok ? "not a journal header" : header.reason}); refusing to guess which generation it belongs to`);
  }
  const journalGen = Number(head.gen);
  if (journalGen < snapshotGen) {
    // crash between the two renames of a compaction: every batch in it is inside the snapshot
    log(`journal generation ${journalGen} predates snapshot generation ${snapshotGen}; its batches are in the snapshot, starting a fresh journal`);
    return createJournalFile(dir, snapshotGen);
  }
  if (journalGen > snapshotGen) {
    throw new Error(`journal ${file} is generation ${journalGen} but the snapshot is generation ${snapshotGen}: ${SNAPSHOT_FILE} is missing or was replaced by an older copy`);
  }

  let offset = header.next;
  let failure: (FrameRead & { ok: false }) | undefined;
  while (offset < buf.length) {
    const frame = readFrame(buf, offset, decode);
    if (!frame.ok) {
      failure = frame;
      break;
    }
    // decode the whole batch before applying any of it: a batch is all-or-nothing
    const records = frame.docs.map(toRecord);
    for (const rec of records) apply(rec);
    report.batchesReplayed++;
    report.recordsReplayed += records.length;
    offset = frame.next;
  }

  if (failure) {
    const bytesIgnored = buf.length - offset;
    const validAfter = countValidFramesAfter(buf, offset, decode);
    // keep the ignored bytes: a middle corruption may still hold acknowledged batches someone wants back
    const savedTo = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    await writeDurably(savedTo, buf.subarray(offset));
    const reason =
      validAfter > 0
        ? `CORRUPTION IN THE MIDDLE of the journal at byte ${offset} (${failure.reason}); ${validAfter} valid batch(es) after it were NOT replayed — acknowledged writes after this point are lost`
        : `torn tail at byte ${offset} (${failure.reason}): a batch cut short by a crash, never acknowledged unless fsync was "never"`;
    report.corruptTail = { offset, bytesIgnored, reason: `${reason}; ignored bytes saved to ${savedTo}` };
    log(`RECOVERY: ${report.corruptTail.reason}. Truncating ${file} to ${offset} bytes so new appends continue cleanly.`);
  }

  const fh = await fs.open(file, fsConstants.O_RDWR);
  try {
    if (failure) {
      await fh.truncate(offset);
      await fh.sync();
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  return { fh, size: offset };
}

class FileJournal implements Journal {
  private readonly queue: Job[] = [];
  private draining = false;
  private closed = false;
  private failure: Error | undefined;
  private compactionQueued = false;
  private readonly policy: FsyncPolicy;
  private readonly compactAfterBytes: number;

  constructor(
    private readonly dir: string,
    private readonly opts: JournalOpenOptions,
    private readonly lock: DataDirLock,
    private fh: FileHandle,
    private size: number,
    private gen: number,
    private readonly log: (message: string) => void,
  ) {
    this.policy = opts.fsync ?? "batch";
    this.compactAfterBytes = opts.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
  }

  get journalBytes(): number {
    return this.size;
  }

  append(batch: JournalRecord[]): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    let frame: Buffer;
    try {
      frame = encodeFrame(batch.map(toEnvelope));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.enqueue((resolve, reject) => ({ kind: "append", frame, resolve, reject }));
  }

  compact(dump: () => Iterable<JournalRecord>): Promise<void> {
    const refused = this.refusal();
    if (refused) return Promise.reject(refused);
    let frames: Buffer[];
    try {
      // serialized now, synchronously: this instant's memory is exactly "every append queued so far"
      frames = snapshotFrames(this.gen + 1, dump());
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.enqueue((resolve, reject) => ({ kind: "compact", frames, resolve, reject }));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.enqueue((resolve, reject) => ({ kind: "close", resolve, reject }));
  }

  private refusal(): Error | undefined {
    if (this.closed) return new Error("journal is closed");
    return this.failure;
  }

  private enqueue(make: (resolve: () => void, reject: (err: Error) => void) => Job): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      if (!this.draining) {
        this.draining = true;
        void this.drain();
      }
    });
  }

  /** The single writer: everything that touches the files runs here, one job at a time, in call order. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === "compact") {
        this.queue.shift();
        await this.runCompaction(head);
      } else if (head.kind === "close") {
        this.queue.shift();
        await this.runClose(head);
      } else {
        await this.writeGroup(this.takeAppends());
        this.maybeAutoCompact();
      }
    }
    this.draining = false;
  }

  /** Group commit: every append queued while the previous write/fsync was in flight goes out as one write + one fsync. */
  private takeAppends(): Extract<Job, { kind: "append" }>[] {
    const limit = this.policy === "always" ? 1 : Number.POSITIVE_INFINITY;
    const group: Extract<Job, { kind: "append" }>[] = [];
    while (group.length < limit && this.queue[0]?.kind === "append") {
      group.push(this.queue.shift() as Extract<Job, { kind: "append" }>);
    }
    return group;
  }

  private async writeGroup(group: Extract<Job, { kind: "append" }>[]): Promise<void> {
    if (this.failure) {
      for (const job of group) job.reject(this.failure);
      return;
    }
    const bytes = group.length === 1 ? group[0]!.frame : Buffer.concat(group.map((j) => j.frame));
    try {
      await writeAt(this.fh, bytes, this.size);
      if (this.policy !== "never") await this.fh.datasync();
      this.size += bytes.length;
      for (const job of group) job.resolve();
    } catch (err) {
      // after a failed write or fsync the file's contents are unknown (the kernel may have dropped the
      // dirty pages): stop acknowledging anything rather than retry into a possibly silent loss
      this.fail(`journal write failed: ${(err as Error).message}`);
      for (const job of group) job.reject(this.failure!);
    }
  }

  private maybeAutoCompact(): void {
    const source = this.opts.snapshotSource;
    if (!source || this.compactionQueued || this.closed || this.failure || this.size < this.compactAfterBytes) return;
    this.compactionQueued = true;
    // queued behind every append already waiting, and the dump taken now includes exactly those
    this.compact(source).then(
      () => (this.compactionQueued = false),
      (err: Error) => {
        this.compactionQueued = false;
        this.log(`automatic compaction failed: ${err.message}`);
      },
    );
  }

  private async runCompaction(job: Extract<Job, { kind: "compact" }>): Promise<void> {
    if (this.failure) return job.reject(this.failure);
    const nextGen = this.gen + 1;
    const snapshotPath = path.join(this.dir, SNAPSHOT_FILE);
    try {
      await writeDurably(snapshotPath + TEMP_SUFFIX, job.frames);
      await fs.rename(snapshotPath + TEMP_SUFFIX, snapshotPath);
      await syncDir(this.dir);
    } catch (err) {
      // the old snapshot and journal are untouched, so the journal stays usable
      await fs.rm(snapshotPath + TEMP_SUFFIX, { force: true }).catch(() => undefined);
      return job.reject(err as Error);
    }
    try {
      const fresh = await createJournalFile(this.dir, nextGen);
      const old = this.fh;
      this.fh = fresh.fh;
      this.size = fresh.size;
      this.gen = nextGen;
      await old.close();
      job.resolve();
    } catch (err) {
      // snapshot N+1 is in place but the journal is still N: anything appended now would be
      // discarded by recovery as "older than the snapshot", so nothing more may be acknowledged
      this.fail(`compaction could not start a new journal: ${(err as Error).message}`);
      job.reject(this.failure!);
    }
  }

  private async runClose(job: Extract<Job, { kind: "close" }>): Promise<void> {
    try {
      await this.fh.close();
      await this.lock.release();
      job.resolve();
    } catch (err) {
      job.reject(err as Error);
    }
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
    this.log(message);
  }
}

/** Record envelope as stored: explicit fields only, so an absent option never turns into a null. */
function toEnvelope(rec: JournalRecord): Document {
  const { op, db } = rec;
  switch (rec.op) {
    case "put":
      return { op, db, coll: rec.coll, doc: rec.doc };
    case "del":
      return { op, db, coll: rec.coll, id: rec.id };
    case "createCollection":
      return rec.options === undefined ? { op, db, coll: rec.coll } : { op, db, coll: rec.coll, options: rec.options };
    case "dropCollection":
      return { op, db, coll: rec.coll };
    case "dropDatabase":
      return { op, db };
    case "createIndex":
      return { op, db, coll: rec.coll, spec: rec.spec };
    case "dropIndex":
      return { op, db, coll: rec.coll, name: rec.name };
    case "collMod":
      return { op, db, coll: rec.coll, options: rec.options };
    case "retryableWrite":
      return { op, db, lsid: rec.lsid, txnNumber: rec.txnNumber, reply: rec.reply, at: rec.at };
    default:
      throw new Error(`unknown journal record op ${JSON.stringify((rec as { op: unknown }).op)}`);
  }
}

function toRecord(doc: Document): JournalRecord {
  switch (doc.op) {
    case "put":
    case "del":
    case "createCollection":
    case "dropCollection":
    case "dropDatabase":
    case "createIndex":
    case "dropIndex":
    case "collMod":
    case "retryableWrite":
      return doc as JournalRecord;
    default:
      // a valid crc around an unknown op is a file written by a newer format, not damage
      throw new Error(`journal record with unknown op ${JSON.stringify(doc.op)}: written by a newer version?`);
  }
}

function snapshotFrames(gen: number, records: Iterable<JournalRecord>): Buffer[] {
  const frames: Buffer[] = [encodeFrame([{ kind: "snapshot", v: 1, gen, createdAt: new Date() }])];
  let parts: Uint8Array[] = [];
  let bytes = 0;
  let count = 0;
  for (const rec of records) {
    const part = serialize(toEnvelope(rec));
    parts.push(part);
    bytes += part.length;
    count++;
    if (bytes >= SNAPSHOT_FRAME_BYTES) {
      frames.push(frameFromParts(parts));
      parts = [];
      bytes = 0;
    }
  }
  if (parts.length > 0) frames.push(frameFromParts(parts));
  frames.push(encodeFrame([{ kind: "end", records: count }]));
  return frames;
}

/** Create an empty journal of `gen` atomically (temp + fsync + rename + fsync dir) and open it for appends. */
async function createJournalFile(dir: string, gen: number): Promise<{ fh: FileHandle; size: number }> {
  const file = path.join(dir, JOURNAL_FILE);
  const header = encodeFrame([{ kind: "journal", v: 1, gen }]);
  await writeDurably(file + TEMP_SUFFIX, [header]);
  await fs.rename(file + TEMP_SUFFIX, file);
  await syncDir(dir);
  return { fh: await fs.open(file, fsConstants.O_RDWR), size: header.length };
}

async function writeDurably(file: string, chunks: Buffer | Buffer[]): Promise<void> {
  const fh = await fs.open(file, "w");
  try {
    let at = 0;
    for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) {
      await writeAt(fh, chunk, at);
      at += chunk.length;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeAt(fh: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** A rename is durable only once the directory entry is: fsync the directory itself. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
