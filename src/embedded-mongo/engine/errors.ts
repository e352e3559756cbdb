/**
 * Server errors carry MongoDB's numeric code and codeName so the driver classifies them exactly as it
 * would a real mongod's (retryability, transient-transaction labels, duplicate-key detection).
 */
import type { Document } from "bson";

export const Codes = {
  InternalError: [1, "InternalError"],
  BadValue: [2, "BadValue"],
  Unauthorized: [13, "Unauthorized"],
  ConflictingOperationInProgress: [117, "ConflictingOperationInProgress"],
  TransactionCommitted: [256, "TransactionCommitted"],
  NoSuchKey: [4, "NoSuchKey"],
  FailedToParse: [9, "FailedToParse"],
  TypeMismatch: [14, "TypeMismatch"],
  InvalidLength: [16, "InvalidLength"],
  IllegalOperation: [20, "IllegalOperation"],
  NamespaceNotFound: [26, "NamespaceNotFound"],
  IndexNotFound: [27, "IndexNotFound"],
  PathNotViable: [28, "PathNotViable"],
  ConflictingUpdateOperators: [40, "ConflictingUpdateOperators"],
  CursorNotFound: [43, "CursorNotFound"],
  NamespaceExists: [48, "NamespaceExists"],
  DollarPrefixedFieldName: [52, "DollarPrefixedFieldName"],
  InvalidIdField: [53, "InvalidIdField"],
  EmptyFieldName: [56, "EmptyFieldName"],
  CommandNotFound: [59, "CommandNotFound"],
  ImmutableField: [66, "ImmutableField"],
  CannotCreateIndex: [67, "CannotCreateIndex"],
  IndexAlreadyExists: [68, "IndexAlreadyExists"],
  InvalidOptions: [72, "InvalidOptions"],
  InvalidNamespace: [73, "InvalidNamespace"],
  IndexOptionsConflict: [85, "IndexOptionsConflict"],
  IndexKeySpecsConflict: [86, "IndexKeySpecsConflict"],
  WriteConflict: [112, "WriteConflict"],
  InvalidBSON: [22, "InvalidBSON"],
  NoSuchTransaction: [251, "NoSuchTransaction"],
  TransactionTooOld: [225, "TransactionTooOld"],
  OperationNotSupportedInTransaction: [263, "OperationNotSupportedInTransaction"],
  DuplicateKey: [11000, "DuplicateKey"],
  Location40324: [40324, "Location40324"],
  Location40323: [40323, "Location40323"],
  Location31254: [31254, "Location31254"],
} as const satisfies Record<string, readonly [number, string]>;

export type CodeName = keyof typeof Codes;

export class MongoServerError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** extra fields merged into the error reply (keyPattern, keyValue, errorLabels, ...) */
  readonly extra: Document;

  constructor(code: CodeName | readonly [number, string], message: string, extra: Document = {}) {
    super(message);
    const [num, name] = typeof code === "string" ? Codes[code] : code;
    this.code = num;
    this.codeName = name;
    this.extra = extra;
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

export function fail(code: CodeName, message: string, extra?: Document): never {
  throw new MongoServerError(code, message, extra);
}

/** Conflicts are retryable by contract: the driver's withTransaction loop keys on this label. */
export function writeConflict(): MongoServerError {
  return new MongoServerError(
    "WriteConflict",
    "Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.",
    { errorLabels: ["TransientTransactionError"] },
  );
}

/** Any non-server error escaping a command is reported as InternalError rather than killing the connection. */
export function toServerError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new MongoServerError("InternalError", msg);
}
