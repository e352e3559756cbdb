import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, RangeNotSatisfiableError, RateLimitedError, UnavailableError, UnsupportedMediaError, ValidationError } from "../shared/errors";

/** Every error code the media feature answers; the class fixes the HTTP status (src/http/errors.ts). */
export const mediaErrors = {
  unsupported: (detected: string | null) =>
    new UnsupportedMediaError(
      "unsupported_media",
      "Only JPEG, PNG, WebP, HEIC images and MP4/MOV videos are accepted (judged from the file's bytes).",
      { detected },
    ),
  /** HEIC decoding needs a libheif with HEVC, which the prebuilt sharp does not ship. */
  heicUndecodable: () =>
    new UnsupportedMediaError("unsupported_media", "This server cannot decode HEIC images; send JPEG, PNG or WebP.", { detected: "image/heic" }),
  undecodable: (detected: string) => new UnsupportedMediaError("unsupported_media", "The file could not be decoded as the image it claims to be.", { detected }),
  tooLarge: (kind: "image" | "video" | "upload", limitBytes: number) =>
    new PayloadTooLargeError("media_too_large", `This ${kind} is larger than the ${limitBytes} bytes allowed.`, { kind, limit_bytes: limitBytes }),
  quotaExceeded: (usedBytes: number, quotaBytes: number) =>
    new ForbiddenError("media_quota_exceeded", "Your media storage quota is full; delete stories or highlights to free space.", {
      used_bytes: usedBytes,
      quota_bytes: quotaBytes,
    }),
  rateLimited: (retryAfterSeconds: number) =>
    new RateLimitedError("upload_rate_limited", `Too many uploads; retry in ${retryAfterSeconds} s.`, retryAfterSeconds),
  notMultipart: () => new ValidationError("multipart_required", "Send the file as multipart/form-data."),
  missingFile: (field: string) => new ValidationError("media_file_missing", `The form has no file in the "${field}" field.`, { field }),
  badForm: (message: string) => new ValidationError("invalid_multipart", message),
  notFound: () => new NotFoundError("media_not_found", "Media not found."),
  /** a `Range` outside a served file (416; `send` sets Content-Range) */
  rangeNotSatisfiable: () => new RangeNotSatisfiableError("range_not_satisfiable", "The requested range is outside the file."),
  notPending: () => new ConflictError("media_not_pending", "This upload was already completed or abandoned."),
  objectMissing: () => new ConflictError("upload_not_found", "Nothing was uploaded to the presigned URL (or it has expired)."),
  typeMismatch: (declared: string, detected: string) =>
    new UnsupportedMediaError("unsupported_media", `The upload was declared as ${declared} but its bytes are ${detected}.`, { declared, detected }),
  storyMediaMismatch: (storyType: string, kind: string) =>
    new ValidationError("media_type_mismatch", `A ${storyType} story needs ${storyType} media, not ${kind}.`, { story_type: storyType, media_kind: kind }),
  presignUnavailable: () =>
    new UnavailableError("presigned_uploads_unavailable", "Presigned uploads need S3 storage (S3_BUCKET); upload with POST /api/v1/media instead."),
} as const;
