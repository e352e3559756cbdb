import { Schema, model } from "mongoose";

/**
 * Campaigns and bids (seed 002 §2–3): what brand owners post. A campaign has one `budget`; a bid a
 * `min_budget`..`max_budget` range. Money is integer paise.
 */
export const LISTING_STATUSES = ["open", "in_progress", "completed", "cancelled"] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

function listingSchema(collection: string, money: Record<string, unknown>) {
  const s = new Schema(
    {
      title: { type: String, required: true },
      description: { type: String, default: "" },
      ...money,
      status: { type: String, enum: LISTING_STATUSES, default: "open" },
      requirements: { type: String, default: "" },
      language: { type: String, default: null },
      platform: { type: String, default: null },
      content_type: { type: String, default: null },
      category: { type: String, default: null },
      created_by: { type: String, required: true },
      created_at: { type: Date, required: true },
      updated_at: { type: Date, required: true },
    },
    { collection, versionKey: false },
  );
  // seed 002 §8.2 idx_*_created_by: an owner's own listings, newest first (and plan limits count them)
  s.index({ created_by: 1, created_at: -1, _id: -1 });
  // seed 002 §8.2 idx_*_status: the browse list filtered by status, newest first
  s.index({ status: 1, created_at: -1, _id: -1 });
  return s;
}

export const CampaignModel = model("Campaign", listingSchema("campaigns", { budget: { type: Number, required: true } }));
export const BidModel = model(
  "Bid",
  listingSchema("bids", { min_budget: { type: Number, required: true }, max_budget: { type: Number, required: true } }),
);
