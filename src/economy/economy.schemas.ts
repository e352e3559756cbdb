import { z } from "zod";
import { objectIdString } from "../shared/ids";
import { pageQuerySchema } from "../shared/pagination";
import { amountSchema, transferSpecSchema } from "./ledger.rules";
import { CURRENCIES } from "./economy.types";

export const ledgerQuerySchema = pageQuerySchema.extend({ currency: z.enum(CURRENCIES).optional() }).strict();

/** POST /admin/economy/grants; the idempotency key comes in the `Idempotency-Key` header. */
export const adminGrantBodySchema = z
  .object({
    user_id: objectIdString,
    currency: z.enum(CURRENCIES),
    amount: amountSchema,
    reason: transferSpecSchema.shape.reason,
  })
  .strict();

/** Idempotency keys: what a client library generates (UUIDs, ULIDs, random base64url). */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, "8-128 of letters, digits, _ . : -");

export const userIdParams = z.object({ user_id: objectIdString }).strict();
