import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { IncomingMessage } from "node:http";
import busboy from "busboy";
import { RESERVED_KEYS } from "../shared/hostile-keys";
import { mediaErrors } from "./media.errors";
import { acceptDetectedType, largestFileLimit, MULTIPART_OVERHEAD_BYTES, sizeLimitFor, type AcceptedType, type SizeLimits } from "./media.rules";
import { SNIFF_BYTES, sniffType } from "./media.processing";

/**
 * Streaming multipart reader: text fields are collected (small, bounded), the one file is sniffed
 * from its first bytes (file-type) and written to a staging file as it arrives, counted against
 * its type's limit. Nothing holds more than a chunk or two in memory, whatever the file's size;
 * the moment the type is refused or the limit passed, reading stops with a domain error.
 */
export interface StagedFile {
  path: string;
  bytes: number;
  detectedMime: string;
  type: AcceptedType;
}

export interface MultipartUpload {
  /** null-prototype: a field named `__proto__` is refused, never assigned */
  fields: Record<string, string>;
  file: StagedFile | null;
}

/** Story forms carry a handful of fields; stickers as JSON fit in 64 KiB. */
const MAX_FIELDS = 40;
const MAX_FIELD_BYTES = 64 * 1024;
const RESERVED_NAMES = RESERVED_KEYS;

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\s*;/i.test(req.headers["content-type"] ?? "");
}

/** Refuse before reading: not multipart, or a declared length no accepted file can have. */
export function checkUploadHeaders(req: IncomingMessage, limits: SizeLimits): void {
  if (!isMultipart(req)) throw mediaErrors.notMultipart();
  const declared = Number(req.headers["content-length"]);
  const max = largestFileLimit(limits) + MULTIPART_OVERHEAD_BYTES;
  if (Number.isFinite(declared) && declared > max) throw mediaErrors.tooLarge("upload", largestFileLimit(limits));
}

export function readMultipartUpload(req: IncomingMessage, opts: { fileField: string; stagingDir: string; limits: SizeLimits }): Promise<MultipartUpload> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = Object.create(null);
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fields: MAX_FIELDS, parts: MAX_FIELDS + 1, fieldSize: MAX_FIELD_BYTES, fileSize: largestFileLimit(opts.limits) + 1 },
      });
    } catch {
      reject(mediaErrors.badForm("The multipart form is malformed (boundary)."));
      return;
    }
    let settled = false;
    let filePromise: Promise<StagedFile> | null = null;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(bb); // stop parsing; the router discards the rest of the body without buffering it
      bb.removeAllListeners();
      bb.on("error", () => undefined);
      filePromise?.then((f) => fs.promises.rm(f.path, { force: true }), () => undefined);
      reject(err);
    };

    bb.on("field", (name, value, info) => {
      if (RESERVED_NAMES.has(name)) return fail(mediaErrors.badForm(`"${name}" is not a field name.`));
      if (info.valueTruncated) return fail(mediaErrors.badForm(`The field "${name}" is longer than ${MAX_FIELD_BYTES} bytes.`));
      if (name in fields) return fail(mediaErrors.badForm(`The field "${name}" is sent twice.`));
      fields[name] = value;
    });
    bb.on("file", (name, stream) => {
      if (name !== opts.fileField) {
        stream.resume();
        return fail(mediaErrors.badForm(`Unexpected file field "${name}"; the file goes in "${opts.fileField}".`));
      }
      filePromise = stageFile(stream, opts.stagingDir, opts.limits);
      filePromise.catch(fail);
    });
    for (const event of ["partsLimit", "filesLimit", "fieldsLimit"] as const) {
      bb.on(event, () => fail(mediaErrors.badForm(`The form has too many parts (one file, at most ${MAX_FIELDS} fields).`)));
    }
    bb.on("error", () => fail(mediaErrors.badForm("The multipart form is malformed.")));
    bb.on("close", () => {
      if (settled) return;
      (filePromise ?? Promise.resolve(null)).then(
        (file) => {
          if (settled) return;
          settled = true;
          resolve({ fields, file });
        },
        fail,
      );
    });
    req.pipe(bb);
  });
}

/** Sniff the first bytes, then write to staging while counting; reject as soon as a rule is broken. */
function stageFile(stream: Readable, stagingDir: string, limits: SizeLimits): Promise<StagedFile> {
  const target = path.join(stagingDir, randomUUID());
  return new Promise<StagedFile>((resolve, reject) => {
    const head: Buffer[] = [];
    let headBytes = 0;
    let total = 0;
    let out: fs.WriteStream | null = null;
    let decided: { mime: string; type: AcceptedType; limit: number } | null = null;
    let ended = false;
    let failed = false;
    /** the sniff is async: 'end' may arrive while it runs, and must not start a second one */
    let deciding = false;

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      stream.removeAllListeners("data");
      stream.resume(); // let busboy move past the part (its input is unpiped by the caller)
      out?.destroy();
      void fs.promises.rm(target, { force: true });
      reject(err);
    };
    const finish = () => {
      if (failed || !out) return;
      out.end(() => resolve({ path: target, bytes: total, detectedMime: decided!.mime, type: decided!.type }));
    };
    const write = (chunk: Buffer) => {
      if (total > decided!.limit) return fail(mediaErrors.tooLarge(decided!.type.kind, decided!.limit));
      if (!out!.write(chunk)) {
        stream.pause();
        out!.once("drain", () => stream.resume());
      }
    };
    const decide = async () => {
      if (deciding) return;
      deciding = true;
      stream.pause();
      const bytes = Buffer.concat(head);
      const mime = await sniffType(bytes);
      const type = acceptDetectedType(mime);
      if (!type) return fail(mediaErrors.unsupported(mime ?? null));
      decided = { mime: mime!, type, limit: sizeLimitFor(type.kind, limits) };
      out = fs.createWriteStream(target, { flags: "wx" });
      out.on("error", fail);
      write(bytes);
      if (failed) return;
      if (ended) finish();
      else stream.resume();
    };

    stream.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (decided) return write(chunk);
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes >= SNIFF_BYTES) decide().catch(fail);
    });
    // busboy's own hard cap (the largest limit of any type) — reached only if the type check above did not stop it
    stream.on("limit", () => fail(decided ? mediaErrors.tooLarge(decided.type.kind, decided.limit) : mediaErrors.tooLarge("upload", largestFileLimit(limits))));
    stream.on("error", fail);
    stream.on("end", () => {
      ended = true;
      if (failed) return;
      if (!decided) {
        if (headBytes === 0) return fail(mediaErrors.unsupported(null));
        decide().catch(fail);
        return;
      }
      if (out) finish();
    });
  });
}
