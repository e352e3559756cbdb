import { Schema, model } from "mongoose";

/** Applications (seed 002 §4 "requests"): an influencer applies to exactly one campaign or bid. */
export const REQUEST_STATUSES = ["pending", "approved", "rejected", "in_progress", "completed", "cancelled"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

const requestSchema = new Schema(
  {
    campaign_id: { type: String, default: null },
    bid_id: { type: String, default: null },
    influencer_id: { type: String, required: true },
    /** the listing's owner, copied so "applications to my listings" is one indexed query */
    brand_owner_id: { type: String, required: true },
    status: { type: String, enum: REQUEST_STATUSES, default: "pending" },
    proposed_amount: { type: Number, required: true },
    agreed_amount: { type: Number, default: null },
    message: { type: String, default: "" },
    portfolio_links: { type: [String], default: [] },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: "requests", versionKey: false },
);
// once per campaign / bid per influencer (the partial filters leave the other kind out)
requestSchema.index({ campaign_id: 1, influencer_id: 1 }, { unique: true, partialFilterExpression: { campaign_id: { $type: "string" } } });
requestSchema.index({ bid_id: 1, influencer_id: 1 }, { unique: true, partialFilterExpression: { bid_id: { $type: "string" } } });
// seed idx_requests_campaign_id / bid_id: a listing's applications, newest first
requestSchema.index({ campaign_id: 1, created_at: -1, _id: -1 });
requestSchema.index({ bid_id: 1, created_at: -1, _id: -1 });
// seed idx_requests_influencer_id: an influencer's own applications (and the monthly plan count)
requestSchema.index({ influencer_id: 1, created_at: -1, _id: -1 });
// applications to a brand owner's listings
requestSchema.index({ brand_owner_id: 1, created_at: -1, _id: -1 });
// seed idx_requests_status
requestSchema.index({ status: 1 });

export const RequestModel = model("Request", requestSchema);
