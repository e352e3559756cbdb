import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { cursorParam, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from "../shared/pagination";
import { LISTING_STATUSES } from "./listing.model";
import { REQUEST_STATUSES } from "./request.model";

/**
 * Money is integer paise: at least ₹1 (Razorpay's minimum order), at most ₹5,00,000 (its default
 * per-payment ceiling), so every agreed amount can actually be paid into escrow.
 */
export const paise = z.number().int().min(100).max(50_000_000);
const text = (max: number) => z.string().trim().max(max);
const tag = z.string().trim().min(1).max(50);

const listingFields = {
  title: z.string().trim().min(1).max(255),
  description: text(5000).optional(),
  requirements: text(5000).optional(),
  language: tag.optional(),
  platform: tag.optional(),
  content_type: tag.optional(),
  category: tag.optional(),
};

export const createCampaignBody = z.object({ ...listingFields, budget: paise }).strict();
export const updateCampaignBody = z
  .object({ ...listingFields, budget: paise, status: z.enum(LISTING_STATUSES) })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to update");

const bidRange = (b: { min_budget?: number; max_budget?: number }) => b.min_budget === undefined || b.max_budget === undefined || b.min_budget <= b.max_budget;
export const createBidBody = z
  .object({ ...listingFields, min_budget: paise, max_budget: paise })
  .strict()
  .refine(bidRange, { message: "min_budget must not exceed max_budget", path: ["min_budget"] });
export const updateBidBody = z
  .object({ ...listingFields, min_budget: paise, max_budget: paise, status: z.enum(LISTING_STATUSES) })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to update")
  .refine(bidRange, { message: "min_budget must not exceed max_budget", path: ["min_budget"] });

const queryInt = z.coerce.number().int().min(0).max(50_000_000);
const pageFields = { cursor: cursorParam, limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE) };

export const listingQuery = z
  .object({
    ...pageFields,
    status: z.enum(LISTING_STATUSES).optional(),
    platform: tag.optional(),
    category: tag.optional(),
    created_by: objectIdString.optional(),
    min_budget: queryInt.optional(),
    max_budget: queryInt.optional(),
  })
  .strict();
export type ListingQuery = z.infer<typeof listingQuery>;

const portfolioLinks = z.array(z.url({ protocol: /^https?$/ }).max(2048)).max(10);
export const createRequestBody = z
  .object({
    campaign_id: objectIdString.optional(),
    bid_id: objectIdString.optional(),
    proposed_amount: paise,
    message: text(2000).optional(),
    portfolio_links: portfolioLinks.optional(),
  })
  .strict()
  .refine((b) => (b.campaign_id === undefined) !== (b.bid_id === undefined), { message: "exactly one of campaign_id or bid_id", path: ["campaign_id"] });

export const updateRequestBody = z
  .object({ proposed_amount: paise, message: text(2000), portfolio_links: portfolioLinks })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to update");
export const requestStatusBody = z.object({ status: z.enum(REQUEST_STATUSES) }).strict();
export const requestAmountBody = z.object({ agreed_amount: paise }).strict();
export const requestListQuery = z
  .object({ ...pageFields, status: z.enum(REQUEST_STATUSES).optional(), campaign_id: objectIdString.optional(), bid_id: objectIdString.optional() })
  .strict();
export const applicationsQuery = z.object({ ...pageFields, status: z.enum(REQUEST_STATUSES).optional() }).strict();

export const idParams = z.object({ id: objectIdString }).strict();
