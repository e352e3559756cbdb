import { Schema, model } from "mongoose";

/**
 * The audit log: one row per admin action, appended and never changed. Append-only is enforced
 * in code, in three layers: no route writes it except through `recordAudit` (an insert), the
 * repository exposes no update or delete, and the model itself refuses every update, replace and
 * delete query (and re-saving a loaded row) with `audit_log_append_only`, so a future caller
 * cannot edit it by mistake. (Someone with direct database access is out of this scope: give the
 * production database user insert+find only on `audit_log` for that.)
 */
const auditSchema = new Schema(
  {
    actor_id: { type: String, required: true },
    action: { type: String, required: true },
    target_type: { type: String, required: true },
    target_id: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
    // from the injectable clock, like every other row
    created_at: { type: Date, required: true },
  },
  { collection: "audit_log", versionKey: false, minimize: false },
);
// GET /admin/audit, newest first, keyset-paged on (created_at, _id)
auditSchema.index({ created_at: -1, _id: -1 });
// ?actor= : one admin's actions
auditSchema.index({ actor_id: 1, created_at: -1, _id: -1 });
// ?action= : one kind of action (every ban, every grant)
auditSchema.index({ action: 1, created_at: -1, _id: -1 });

export class AuditAppendOnlyError extends Error {
  readonly code = "audit_log_append_only";
  constructor() {
    super("The audit log is append-only: rows are never updated or deleted.");
  }
}

const REFUSED_QUERIES = [
  "updateOne",
  "updateMany",
  "findOneAndUpdate",
  "replaceOne",
  "findOneAndReplace",
  "deleteOne",
  "deleteMany",
  "findOneAndDelete",
] as const;
for (const op of REFUSED_QUERIES) {
  auditSchema.pre(op, function () {
    throw new AuditAppendOnlyError();
  });
}
// a loaded row saved again would be an update; document-level deleteOne too
auditSchema.pre("save", function () {
  if (!this.isNew) throw new AuditAppendOnlyError();
});
auditSchema.pre("deleteOne", { document: true, query: false }, function () {
  throw new AuditAppendOnlyError();
});
auditSchema.pre("bulkWrite", function () {
  throw new AuditAppendOnlyError();
});

export const AuditModel = model("AuditEntry", auditSchema);
