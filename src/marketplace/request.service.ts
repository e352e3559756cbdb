import type { ClientSession } from "mongoose";
import { hasRole, type Principal } from "../auth/roles";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { afterTimeId, decodeCursor, timeIdCursor, timeIdKey, toPage, type Page } from "../shared/pagination";
import { amountRange, assertOwnsListing, getListing, type Listing, type ListingKind } from "./listing.service";
import { RequestModel, type RequestStatus } from "./request.model";
import { assertRequestMove } from "./request.rules";
import { assertWithinPlan } from "./subscription.service";
import { marketplaceErrors } from "./marketplace.errors";

/** Applications (`/requests`): influencers apply, the listing's brand owner decides. */
export interface Application {
  id: string;
  campaign_id: string | null;
  bid_id: string | null;
  influencer_id: string;
  brand_owner_id: string;
  status: RequestStatus;
  proposed_amount: number;
  agreed_amount: number | null;
  message: string;
  portfolio_links: string[];
  created_at: string;
  updated_at: string;
}

type Row = Record<string, any>;

export function toApplication(r: Row): Application {
  return {
    id: String(r._id),
    campaign_id: r.campaign_id,
    bid_id: r.bid_id,
    influencer_id: r.influencer_id,
    brand_owner_id: r.brand_owner_id,
    status: r.status,
    proposed_amount: r.proposed_amount,
    agreed_amount: r.agreed_amount,
    message: r.message,
    portfolio_links: r.portfolio_links,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

export function listingOf(a: Pick<Application, "campaign_id" | "bid_id">): { kind: ListingKind; id: string } {
  return a.campaign_id ? { kind: "campaign", id: a.campaign_id } : { kind: "bid", id: a.bid_id! };
}

export function assertAmountFits(l: Listing, amount: number, field = "proposed_amount"): void {
  const { min_amount, max_amount } = amountRange(l);
  if (amount < min_amount || amount > max_amount) {
    throw marketplaceErrors.amountOutOfRange(`${field} must be between ${min_amount} and ${max_amount} paise for this ${l.kind}.`, { min_amount, max_amount, [field]: amount });
  }
}

export async function applyToListing(
  who: Principal,
  body: { campaign_id?: string; bid_id?: string; proposed_amount: number; message?: string; portfolio_links?: string[] },
): Promise<Application> {
  const kind: ListingKind = body.campaign_id ? "campaign" : "bid";
  const listing = await getListing(kind, (body.campaign_id ?? body.bid_id)!);
  if (listing.status !== "open") throw marketplaceErrors.listingNotOpen(kind, listing.status);
  if (listing.created_by === who.userId) throw marketplaceErrors.ownListing();
  assertAmountFits(listing, body.proposed_amount);
  await assertWithinPlan(who.userId, "applications_per_month");
  const now = clock.now();
  try {
    const doc = await RequestModel.create({
      campaign_id: body.campaign_id ?? null,
      bid_id: body.bid_id ?? null,
      influencer_id: who.userId,
      brand_owner_id: listing.created_by,
      proposed_amount: body.proposed_amount,
      message: body.message ?? "",
      portfolio_links: body.portfolio_links ?? [],
      status: "pending",
      created_at: now,
      updated_at: now,
    });
    return toApplication(doc.toObject());
  } catch (err) {
    if (isDuplicateKeyError(err)) throw marketplaceErrors.alreadyApplied(kind);
    throw err;
  }
}

async function findApplication(id: string): Promise<Application> {
  const row = await RequestModel.findById(id).lean<Row>();
  if (!row) throw marketplaceErrors.requestNotFound("No such application.");
  return toApplication(row);
}

function sideOf(who: Principal, a: Application): "owner" | "applicant" | "admin" | null {
  if (hasRole(who, "admin")) return "admin";
  if (a.brand_owner_id === who.userId) return "owner";
  if (a.influencer_id === who.userId) return "applicant";
  return null;
}

/** The applicant, the listing's owner and admins see an application; anyone else gets 404. */
export async function getApplication(who: Principal, id: string): Promise<Application> {
  const a = await findApplication(id);
  if (!sideOf(who, a)) throw marketplaceErrors.requestNotFound("No such application.");
  return a;
}

type PageQ = { cursor?: string; limit: number; status?: RequestStatus; campaign_id?: string; bid_id?: string };

async function pageOf(filter: Record<string, unknown>, q: PageQ): Promise<Page<Application>> {
  const after = decodeCursor(q.cursor, timeIdCursor);
  const rows = await RequestModel.find({ ...filter, ...(q.status && { status: q.status }), ...afterTimeId(after) })
    .sort({ created_at: -1, _id: -1 })
    .limit(q.limit + 1)
    .lean<Row[]>();
  const page = toPage(rows, q.limit, (r) => timeIdKey(r.created_at, r._id));
  return { items: page.items.map(toApplication), next_cursor: page.next_cursor };
}

/** An influencer's own applications; a brand owner's incoming ones; admins everything. */
export async function listApplications(who: Principal, q: PageQ): Promise<Page<Application>> {
  const filter: Record<string, unknown> = {};
  if (q.campaign_id) filter.campaign_id = q.campaign_id;
  if (q.bid_id) filter.bid_id = q.bid_id;
  if (!hasRole(who, "admin")) filter[hasRole(who, "brand_owner") ? "brand_owner_id" : "influencer_id"] = who.userId;
  return pageOf(filter, q);
}

/** `GET /campaigns/:id/applications` — the listing's owner or an admin. */
export async function listListingApplications(who: Principal, kind: ListingKind, id: string, q: PageQ): Promise<Page<Application>> {
  assertOwnsListing(who, await getListing(kind, id));
  return pageOf({ [kind === "campaign" ? "campaign_id" : "bid_id"]: id }, q);
}

async function conditionalUpdate(a: Application, from: RequestStatus[], set: Record<string, unknown>): Promise<Application> {
  const row = await RequestModel.findOneAndUpdate({ _id: a.id, status: { $in: from } }, { $set: { ...set, updated_at: clock.now() } }, { returnDocument: "after" }).lean<Row>();
  if (!row) throw marketplaceErrors.staleRequest();
  return toApplication(row);
}

export async function updateApplication(who: Principal, id: string, body: { proposed_amount?: number; message?: string; portfolio_links?: string[] }): Promise<Application> {
  const a = await getApplication(who, id);
  if (a.influencer_id !== who.userId) throw marketplaceErrors.notApplicant();
  if (a.status !== "pending") throw marketplaceErrors.requestNotPending();
  if (body.proposed_amount !== undefined) {
    const l = listingOf(a);
    assertAmountFits(await getListing(l.kind, l.id), body.proposed_amount);
  }
  return conditionalUpdate(a, ["pending"], body);
}

export async function setApplicationStatus(who: Principal, id: string, to: RequestStatus): Promise<Application> {
  const a = await getApplication(who, id);
  assertRequestMove(a.status, to, sideOf(who, a)!);
  return conditionalUpdate(a, [a.status], { status: to });
}

export async function setAgreedAmount(who: Principal, id: string, amount: number): Promise<Application> {
  const a = await getApplication(who, id);
  const side = sideOf(who, a);
  if (side !== "owner" && side !== "admin") throw marketplaceErrors.notListingOwner("Only the brand owner sets the agreed amount.");
  if (a.status !== "pending" && a.status !== "approved") throw marketplaceErrors.requestNotOpen(`An application that is ${a.status} keeps its amount.`);
  const l = listingOf(a);
  assertAmountFits(await getListing(l.kind, l.id), amount, "agreed_amount");
  return conditionalUpdate(a, ["pending", "approved"], { agreed_amount: amount });
}

/** DELETE /requests/:id — the applicant withdraws (pending or approved, before work starts). */
export async function withdrawApplication(who: Principal, id: string): Promise<Application> {
  const a = await getApplication(who, id);
  if (a.influencer_id !== who.userId) throw marketplaceErrors.notApplicant("Only the applicant may withdraw an application.");
  if (a.status !== "pending" && a.status !== "approved") throw marketplaceErrors.requestNotWithdrawable(a.status);
  return conditionalUpdate(a, ["pending", "approved"], { status: "cancelled" });
}

/** The negotiation flow moving its application (system move, inside the flow's transaction). */
export async function syncApplicationFromFlow(requestId: string, status: RequestStatus, agreed: number | null, session: ClientSession): Promise<void> {
  await RequestModel.updateOne({ _id: requestId }, { $set: { status, ...(agreed !== null && { agreed_amount: agreed }), updated_at: clock.now() } }, { session });
}

export async function findApplicationFor(kind: ListingKind, listingId: string, influencerId: string): Promise<Application | null> {
  const row = await RequestModel.findOne({ [kind === "campaign" ? "campaign_id" : "bid_id"]: listingId, influencer_id: influencerId }).lean<Row>();
  return row ? toApplication(row) : null;
}
