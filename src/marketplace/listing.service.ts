import type { Model } from "mongoose";
import { hasRole, type Principal } from "../auth/roles";
import { clock } from "../shared/clock";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { BidModel, CampaignModel, type ListingStatus } from "./listing.model";
import type { ListingQuery } from "./marketplace.schemas";
import { RequestModel } from "./request.model";
import { assertWithinPlan } from "./subscription.service";
import { marketplaceErrors } from "./marketplace.errors";

/**
 * Campaigns and bids: one service for both kinds (they differ only in their money fields).
 * Anyone signed in browses; only brand owners post; owners (and admins) change their own.
 */
export type ListingKind = "campaign" | "bid";

export interface Listing {
  id: string;
  kind: ListingKind;
  title: string;
  description: string;
  budget?: number;
  min_budget?: number;
  max_budget?: number;
  status: ListingStatus;
  requirements: string;
  language: string | null;
  platform: string | null;
  content_type: string | null;
  category: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

const MODELS: Record<ListingKind, Model<any>> = { campaign: CampaignModel, bid: BidModel };

type Row = Record<string, any>;

export function toListing(kind: ListingKind, r: Row): Listing {
  const money = kind === "campaign" ? { budget: r.budget } : { min_budget: r.min_budget, max_budget: r.max_budget };
  return {
    id: String(r._id),
    kind,
    title: r.title,
    description: r.description,
    ...money,
    status: r.status,
    requirements: r.requirements,
    language: r.language,
    platform: r.platform,
    content_type: r.content_type,
    category: r.category,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

/** The amounts a deal on this listing may take: a bid's range, or up to a campaign's budget. */
export function amountRange(l: Listing): { min_amount: number; max_amount: number } {
  return l.kind === "bid" ? { min_amount: l.min_budget!, max_amount: l.max_budget! } : { min_amount: 100, max_amount: l.budget! };
}

export async function createListing(kind: ListingKind, owner: Principal, body: Record<string, unknown>): Promise<Listing> {
  await assertWithinPlan(owner.userId, kind === "campaign" ? "active_campaigns" : "active_bids");
  const now = clock.now();
  const doc = await MODELS[kind].create({ ...body, created_by: owner.userId, status: "open", created_at: now, updated_at: now });
  return toListing(kind, doc.toObject());
}

export async function getListing(kind: ListingKind, id: string): Promise<Listing> {
  const row = await MODELS[kind].findById(id).lean<Row>();
  if (!row) throw marketplaceErrors.listingNotFound(kind);
  return toListing(kind, row);
}

export function assertOwnsListing(who: Principal, l: Listing): void {
  if (l.created_by !== who.userId && !hasRole(who, "admin")) throw marketplaceErrors.notListingOwner(`Only the brand owner who posted this ${l.kind} may do that.`);
}

export async function updateListing(kind: ListingKind, who: Principal, id: string, body: Record<string, unknown>): Promise<Listing> {
  const current = await getListing(kind, id);
  assertOwnsListing(who, current);
  const merged = { ...current, ...body };
  if (kind === "bid" && merged.min_budget! > merged.max_budget!) {
    throw marketplaceErrors.invalidBudgetRange({ min_budget: merged.min_budget, max_budget: merged.max_budget });
  }
  const row = await MODELS[kind].findByIdAndUpdate(id, { $set: { ...body, updated_at: clock.now() } }, { returnDocument: "after" }).lean<Row>();
  if (!row) throw marketplaceErrors.listingNotFound(kind);
  return toListing(kind, row);
}

/** Deleting a listing with a deal under way is refused; its pending applications are cancelled. */
export async function deleteListing(kind: ListingKind, who: Principal, id: string): Promise<void> {
  const current = await getListing(kind, id);
  assertOwnsListing(who, current);
  const field = kind === "campaign" ? "campaign_id" : "bid_id";
  const active = await RequestModel.countDocuments({ [field]: id, status: { $in: ["approved", "in_progress"] } });
  if (active > 0) throw marketplaceErrors.listingHasActiveDeals(kind, active, { active });
  await RequestModel.updateMany({ [field]: id, status: "pending" }, { $set: { status: "cancelled", updated_at: clock.now() } });
  await MODELS[kind].deleteOne({ _id: id });
}

export async function listListings(kind: ListingKind, q: ListingQuery): Promise<Page<Listing>> {
  const after = decodeCursor(q.cursor, timeIdCursor);
  const filter: Record<string, unknown> = { ...afterTimeId(after) };
  for (const f of ["status", "platform", "category", "created_by"] as const) if (q[f] !== undefined) filter[f] = q[f];
  // budget range: a campaign whose budget is inside it; a bid whose range overlaps it
  if (kind === "campaign") {
    if (q.min_budget !== undefined || q.max_budget !== undefined) {
      filter.budget = { ...(q.min_budget !== undefined && { $gte: q.min_budget }), ...(q.max_budget !== undefined && { $lte: q.max_budget }) };
    }
  } else {
    if (q.min_budget !== undefined) filter.max_budget = { $gte: q.min_budget };
    if (q.max_budget !== undefined) filter.min_budget = { $lte: q.max_budget };
  }
  const rows = await MODELS[kind].find(filter).sort({ created_at: -1, _id: -1 }).limit(q.limit + 1).lean<Row[]>();
  return mapPage(kind, rows, q.limit);
}

function mapPage(kind: ListingKind, rows: Row[], limit: number): Page<Listing> {
  const page = toPage(rows, limit, (r) => timeIdKey(r.created_at, r._id));
  return { items: page.items.map((r) => toListing(kind, r)), next_cursor: page.next_cursor };
}

/** Listings a brand owner has open or under way (plan limits count these). */
export async function countActiveListings(kind: ListingKind, ownerId: string): Promise<number> {
  return MODELS[kind].countDocuments({ created_by: ownerId, status: { $in: ["open", "in_progress"] } });
}
