/**
 * On-disk framing shared by the journal and the snapshot file.
 *
 *   frame   = magic:u32le  length:u32le  crc:u32le  payload[length]
 *   crc     = crc32(length bytes ++ payload)   — a flipped length is caught, not just a flipped payload
 *   payload = one or more BSON documents back to back (each is self-delimiting by its int32 size)
 *
 * The payload is a run of documents rather than one `{ b: [records] }` document because the bson
 * package refuses to serialize a single document above ~17 MB, and one insertMany batch may legally
 * be up to the 48 MB wire message limit.
 */
import { crc32 } from "node:zlib";
import { serialize, type Document } from "bson";

/** turns one stored BSON document back into the engine's in-memory form */
export type DecodeDocument = (bytes: Uint8Array) => Document;

/** "LJF1" — marks every frame so a scan can tell a torn tail from garbage followed by valid frames */
export const FRAME_MAGIC = 0x3146_4a4c;
const MAGIC_BYTES = Buffer.from([0x4c, 0x4a, 0x46, 0x31]);
/** magic + length + crc */
export const FRAME_HEADER_BYTES = 12;
/** a frame larger than this is a corrupted length field: 64 MB is above the 48 MB wire message cap */
export const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(docs: readonly Document[]): Buffer {
  return frameFromParts(docs.map((d) => serialize(d)));
}

/** Frame already-serialized BSON documents (the snapshot writer sizes its frames from them). */
export function frameFromParts(parts: readonly Uint8Array[]): Buffer {
  const payloadLength = parts.reduce((n, p) => n + p.length, 0);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(payloadLength, 4);
  let at = FRAME_HEADER_BYTES;
  for (const p of parts) {
    frame.set(p, at);
    at += p.length;
  }
  frame.writeUInt32LE(frameCrc(frame, FRAME_HEADER_BYTES, payloadLength), 8);
  return frame;
}

function frameCrc(buf: Buffer, payloadStart: number, payloadLength: number): number {
  const lengthCrc = crc32(buf.subarray(payloadStart - 8, payloadStart - 4));
  return crc32(buf.subarray(payloadStart, payloadStart + payloadLength), lengthCrc);
}

export type FrameRead =
  | { ok: true; docs: Document[]; next: number }
  | { ok: false; reason: string };

/** Decode the frame starting at `offset`; never throws on bad bytes, it says why instead. */
export function readFrame(buf: Buffer, offset: number, decode: DecodeDocument): FrameRead {
  const remaining = buf.length - offset;
  if (remaining < FRAME_HEADER_BYTES) return { ok: false, reason: `torn frame header (${remaining} bytes)` };
  if (buf.readUInt32LE(offset) !== FRAME_MAGIC) return { ok: false, reason: "bad frame magic" };
  const length = buf.readUInt32LE(offset + 4);
  if (length > MAX_FRAME_PAYLOAD) return { ok: false, reason: `implausible frame length ${length}` };
  const payloadStart = offset + FRAME_HEADER_BYTES;
  if (payloadStart + length > buf.length) {
    return { ok: false, reason: `torn frame: needs ${length} payload bytes, ${buf.length - payloadStart} present` };
  }
  if (frameCrc(buf, payloadStart, length) !== buf.readUInt32LE(offset + 8)) return { ok: false, reason: "crc mismatch" };
  const docs: Document[] = [];
  let at = payloadStart;
  const end = payloadStart + length;
  try {
    while (at < end) {
      // a BSON document is smallest at 5 bytes (int32 size + terminating NUL)
      const size = end - at >= 5 ? buf.readInt32LE(at) : -1;
      if (size < 5 || at + size > end) return { ok: false, reason: "payload is not a run of BSON documents" };
      docs.push(decode(buf.subarray(at, at + size)));
      at += size;
    }
  } catch (err) {
    return { ok: false, reason: `undecodable BSON in a frame with a valid crc: ${(err as Error).message}` };
  }
  return { ok: true, docs, next: end };
}

/**
 * After a bad frame at `from`, count the valid frames that still follow. Any → the damage is in the
 * middle of the file (bit rot, a bad sector), not a write that was cut short by a crash.
 */
export function countValidFramesAfter(buf: Buffer, from: number, decode: DecodeDocument): number {
  let found = 0;
  let at = from + 1;
  while (at <= buf.length - FRAME_HEADER_BYTES) {
    const hit = buf.indexOf(MAGIC_BYTES, at);
    if (hit < 0) break;
    const frame = readFrame(buf, hit, decode);
    if (frame.ok) {
      found++;
      at = frame.next;
    } else {
      at = hit + 1;
    }
  }
  return found;
}
