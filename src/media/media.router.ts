import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { bodyOf, statusOf } from "../http/errors";
import { DomainError, RateLimitedError } from "../shared/errors";
import { logger } from "../logger";
import { detectFfmpeg } from "./media.processing";
import { emptyBodySchema, mediaParams, presignBodySchema, uploadFormSchema } from "./media.schemas";
import { mediaViewResponse, presignResponse } from "./media.responses";
import * as media from "./media.service";
import { sharedErrors } from "../shared/shared.errors";

/** The address media URLs are built on when MEDIA_PUBLIC_BASE_URL is not set (TRUST_PROXY decides the protocol). */
export function originOf(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

/** A refused upload is answered at once, then the rest of the body is read and dropped (never held) up to this much. */
const MAX_DRAIN_BYTES = 1024 * 1024 * 1024;
const MAX_DRAIN_MS = 120_000;

/**
 * Answer an upload refused before its body ended (too large, wrong type, rate limited…) so the
 * client really reads the answer: the status and JSON go out now with `Connection: close`, but
 * the response is ended — and the socket closed — only once the client has finished sending.
 * Closing while it still sends would reset the connection and lose the answer with it. What is
 * still coming is discarded chunk by chunk (bounded in bytes and time), never buffered.
 */
export function answerBeforeBodyEnds(req: Request, res: Response, err: unknown): void {
  const domain = err instanceof DomainError ? err : null;
  if (!domain) logger.error({ err }, "upload failed");
  const answer = domain ?? sharedErrors.internal();
  const payload = JSON.stringify(bodyOf(answer));
  if (answer instanceof RateLimitedError) res.setHeader("Retry-After", String(answer.retryAfterSeconds));
  res.status(statusOf(answer));
  res.setHeader("Connection", "close");
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", Buffer.byteLength(payload));
  res.write(payload);
  let drained = 0;
  const timer = setTimeout(() => req.destroy(), MAX_DRAIN_MS).unref();
  const done = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.destroy();
  });
  req.once("end", done);
  req.once("close", done);
  req.resume();
}

/** Errors of upload routes: while the body is still arriving, answer without cutting the client off. */
export const uploadErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (req.complete || res.headersSent) return next(err);
  answerBeforeBodyEnds(req, res, err);
};

const upload: RequestHandler = async (req, res) => {
  const userId = principalOf(req).userId;
  const form = await media.receiveMultipart(userId, req, "file", true);
  res.status(201).json(await media.storeStagedUpload(userId, form.file!, originOf(req)));
};

/** What an upload may answer beyond 400/401 (codes in media.errors.ts). */
const uploadRefusals = {
  403: "`media_quota_exceeded`.",
  413: "`media_too_large`.",
  415: "`unsupported_media`: the bytes are not an accepted image or video.",
  429: "`upload_rate_limited` (Retry-After).",
} as const;

/** `/api/v1/media`: uploads through the server (multipart) and, with S3, presigned uploads. */
export function mediaRouter(): Router {
  void detectFfmpeg(); // at boot, so /health/ready can say which posters videos get
  const r = Router();
  r.use(requireAuth());
  r.post("/", validate({ multipart: uploadFormSchema, response: mediaViewResponse, status: 201, summary: "Upload a photo or video (multipart, field `file`)", errors: uploadRefusals }), upload);
  r.post("/uploads", validate({ body: presignBodySchema, example: { content_type: "image/jpeg", size: 482113 }, response: presignResponse, status: 201, summary: "Start a presigned upload straight to the bucket (S3 storage)", errors: { ...uploadRefusals, 503: "`presigned_uploads_unavailable`: disk storage; upload with POST /media." } }), async (req, res) => {
    res.status(201).json(await media.createPresignedUpload(principalOf(req).userId, res.locals.valid.body));
  });
  r.post("/:id/complete", validate({ params: mediaParams, body: emptyBodySchema, example: {}, response: mediaViewResponse, summary: "Finish a presigned upload: check, process, make it usable", errors: { 404: "`media_not_found`.", 409: "`media_not_pending` or `upload_not_found`.", 415: "`unsupported_media`." } }), async (req, res) => {
    res.json(await media.completePresignedUpload(principalOf(req).userId, res.locals.valid.params.id, originOf(req)));
  });
  r.use(uploadErrors);
  return r;
}
