import { Schema, model } from "mongoose";

/**
 * Reports (collection `reports`): one per reporter and target. Generic over what is reported
 * (`target_type`: a story today; live chat and direct messages later use the same rows and queue).
 * `target_owner_id` is whose content it is (the story's author), so a ban can follow the report.
 */
export const REPORT_TARGET_TYPES = ["story", "chat_message", "message"] as const;
export type ReportTargetType = (typeof REPORT_TARGET_TYPES)[number];
export const REPORT_REASONS = ["spam", "nudity", "violence", "harassment", "self_harm", "other"] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
/** open → dismissed (nothing wrong) | actioned (story removed or author banned) */
export const REPORT_STATUSES = ["open", "dismissed", "actioned"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const RESOLUTION_ACTIONS = ["dismiss", "remove_story", "ban_author"] as const;
export type ResolutionAction = (typeof RESOLUTION_ACTIONS)[number];

const reportSchema = new Schema(
  {
    target_type: { type: String, enum: REPORT_TARGET_TYPES, required: true },
    target_id: { type: String, required: true },
    target_owner_id: { type: String, required: true },
    /** the reported story's community (its owner and admins moderate it), null outside one */
    community_id: { type: String, default: null },
    reporter_id: { type: String, required: true },
    reason: { type: String, enum: REPORT_REASONS, required: true },
    note: { type: String, default: null },
    status: { type: String, enum: REPORT_STATUSES, default: "open" },
    created_at: { type: Date, required: true },
    resolved_at: { type: Date, default: null },
    resolution: {
      type: new Schema({ action: { type: String, enum: RESOLUTION_ACTIONS, required: true }, note: { type: String, default: "" }, by: { type: String, required: true } }, { _id: false }),
      default: null,
    },
  },
  { collection: "reports", versionKey: false },
);
// once per user and target: the unique insert is what makes a second report a 409, even concurrently
reportSchema.index({ target_type: 1, target_id: 1, reporter_id: 1 }, { unique: true });
// the queue (GET /admin/reports?status=open), newest first, keyset-paged on (created_at, _id)
reportSchema.index({ status: 1, created_at: -1, _id: -1 });
// a community moderator's queue: their communities' reports, newest first
reportSchema.index({ community_id: 1, status: 1, created_at: -1, _id: -1 });
// distinct open reporters of one target (the hide threshold) and resolving them together
reportSchema.index({ target_type: 1, target_id: 1, status: 1 });

export const ReportModel = model("Report", reportSchema);
