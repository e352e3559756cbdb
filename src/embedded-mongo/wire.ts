/**
 * MongoDB wire protocol framing: splits a byte stream into messages and encodes replies.
 * Only OP_MSG (2013) and the legacy OP_QUERY (2004) handshake are accepted; everything the driver needs
 * since wire version 6 travels as OP_MSG.
 */
import { BSON, type Document } from "bson";
import { deserializeCanonical } from "./engine/types";
import { MongoServerError } from "./engine/errors";
import { setField } from "./engine/fields";

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** what hello advertises as maxMessageSizeBytes; a frame above this is a protocol violation */
export const MAX_MESSAGE_SIZE = 48_000_000;

const FLAG_CHECKSUM = 1 << 0;
const FLAG_MORE_TO_COME = 1 << 1;
const FLAG_EXHAUST_ALLOWED = 1 << 16;
/** bits 0-15 are "required" flags: a receiver must reject any it does not know */
const KNOWN_REQUIRED_FLAGS = FLAG_CHECKSUM | FLAG_MORE_TO_COME;

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface Request {
  header: Header;
  kind: "msg" | "query";
  /** the command document with kind-1 sequences folded in as arrays */
  command: Document;
  /** database the command targets ($db for OP_MSG, the namespace prefix for OP_QUERY) */
  db: string;
  moreToCome: boolean;
  exhaustAllowed: boolean;
}

/** A frame error means the stream can no longer be trusted: the connection must be closed. */
export class FrameError extends Error {}

export function readHeader(buf: Buffer, off = 0): Header {
  return {
    length: buf.readInt32LE(off),
    requestId: buf.readInt32LE(off + 4),
    responseTo: buf.readInt32LE(off + 8),
    opCode: buf.readInt32LE(off + 12),
  };
}

function readCString(buf: Buffer, off: number, end: number): [string, number] {
  const z = buf.indexOf(0, off);
  if (z < 0 || z >= end) throw new MongoServerError("InvalidBSON", "unterminated C string in message");
  return [buf.toString("utf8", off, z), z + 1];
}

function readBsonAt(buf: Buffer, off: number, end: number): [Document, number] {
  if (off + 5 > end) throw new MongoServerError("InvalidBSON", "truncated BSON document");
  const size = buf.readInt32LE(off);
  if (size < 5 || off + size > end) throw new MongoServerError("InvalidBSON", `invalid BSON document size ${size}`);
  try {
    return [deserializeCanonical(buf.subarray(off, off + size)), off + size];
  } catch (e) {
    throw new MongoServerError("InvalidBSON", `invalid BSON: ${(e as Error).message}`);
  }
}

/**
 * Parses one complete frame. Throws MongoServerError for a well-framed but invalid body (answered with an
 * error reply) and FrameError for unsupported opcodes (connection closed, like mongod does).
 */
export function parseMessage(frame: Buffer): Request {
  const header = readHeader(frame);
  const end = header.length;
  if (header.opCode === OP_MSG) {
    const flags = frame.readUInt32LE(16);
    if ((flags & 0xffff & ~KNOWN_REQUIRED_FLAGS) !== 0) {
      throw new MongoServerError("BadValue", `Unrecognized required flag bits in OP_MSG: ${flags & 0xffff}`);
    }
    const bodyEnd = flags & FLAG_CHECKSUM ? end - 4 : end;
    let off = 20;
    let command: Document | undefined;
    const sequences: [string, Document[]][] = [];
    while (off < bodyEnd) {
      const kind = frame[off++];
      if (kind === 0) {
        if (command) throw new MongoServerError("BadValue", "OP_MSG contains more than one body section");
        [command, off] = readBsonAt(frame, off, bodyEnd);
      } else if (kind === 1) {
        if (off + 4 > bodyEnd) throw new MongoServerError("InvalidBSON", "truncated document sequence");
        const size = frame.readInt32LE(off);
        const seqEnd = off + size;
        if (size < 5 || seqEnd > bodyEnd) throw new MongoServerError("InvalidBSON", "invalid document sequence size");
        let id: string;
        [id, off] = readCString(frame, off + 4, seqEnd);
        const docs: Document[] = [];
        while (off < seqEnd) {
          let d: Document;
          [d, off] = readBsonAt(frame, off, seqEnd);
          docs.push(d);
        }
        sequences.push([id, docs]);
      } else {
        throw new MongoServerError("BadValue", `Unknown section kind ${kind} in OP_MSG`);
      }
    }
    if (!command) throw new MongoServerError("BadValue", "OP_MSG has no body section");
    for (const [id, docs] of sequences) {
      if (Object.hasOwn(command, id)) throw new MongoServerError("BadValue", `duplicate field '${id}' in OP_MSG`);
      setField(command, id, docs);
    }
    const db = typeof command.$db === "string" ? command.$db : "";
    if (!db) throw new MongoServerError("BadValue", "OP_MSG requests require a $db argument");
    return {
      header,
      kind: "msg",
      command,
      db,
      moreToCome: (flags & FLAG_MORE_TO_COME) !== 0,
      exhaustAllowed: (flags & FLAG_EXHAUST_ALLOWED) !== 0,
    };
  }
  if (header.opCode === OP_QUERY) {
    let off = 20;
    let ns: string;
    [ns, off] = readCString(frame, off, end);
    off += 8; // numberToSkip, numberToReturn: meaningless for $cmd queries
    let query: Document;
    [query] = readBsonAt(frame, off, end);
    // legacy drivers wrap the command as { $query: {...}, $readPreference }
    if (query.$query && typeof query.$query === "object") query = query.$query as Document;
    const dot = ns.indexOf(".");
    const db = dot < 0 ? ns : ns.slice(0, dot);
    return { header, kind: "query", command: query, db, moreToCome: false, exhaustAllowed: false };
  }
  throw new FrameError(`unsupported opCode ${header.opCode}`);
}

let nextRequestId = 1;

/** room for typical replies (a first batch of 101 small documents is ~10 KB) without a fallback */
const SCRATCH_INITIAL = 64 * 1024;
/** replies above this take the fallback path rather than pinning a large buffer for the process lifetime */
const SCRATCH_MAX = 1024 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_INITIAL);

/**
 * Serializes `doc` behind `prefix` bytes of envelope and returns a frame-sized buffer whose envelope the
 * caller fills in: one allocation per reply instead of separate body, header and frame buffers.
 */
function frameWithBody(prefix: number, doc: Document): Buffer {
  let end: number;
  try {
    end = BSON.serializeWithBufferAndIndex(doc, scratch, { ignoreUndefined: true, index: prefix }) + 1;
  } catch (e) {
    // RangeError: the reply does not fit the scratch buffer (bson fails the final copy before touching it)
    if (!(e instanceof RangeError)) throw e;
    const body = BSON.serialize(doc, { ignoreUndefined: true });
    const out = Buffer.allocUnsafe(prefix + body.length);
    out.set(body, prefix);
    if (out.length <= SCRATCH_MAX) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(out.length, scratch.length * 2)));
    return out;
  }
  const out = Buffer.allocUnsafe(end);
  scratch.copy(out, prefix, prefix, end);
  return out;
}

function writeHeader(out: Buffer, responseTo: number, opCode: number): void {
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}

export function encodeMsgReply(responseTo: number, doc: Document, moreToCome = false): Buffer {
  const out = frameWithBody(HEADER_SIZE + 5, doc);
  writeHeader(out, responseTo, OP_MSG);
  out.writeUInt32LE(moreToCome ? FLAG_MORE_TO_COME : 0, 16);
  out[20] = 0;
  return out;
}

export function encodeOpReply(responseTo: number, doc: Document): Buffer {
  const out = frameWithBody(HEADER_SIZE + 20, doc);
  writeHeader(out, responseTo, OP_REPLY);
  out.writeInt32LE(8, 16); // AwaitCapable, as mongod sets it
  out.writeBigInt64LE(0n, 20);
  out.writeInt32LE(0, 28);
  out.writeInt32LE(1, 32);
  return out;
}
