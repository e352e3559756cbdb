import { clawback, getWallet, withTransfer, type Wallet } from "../economy";
import { clock } from "../shared/clock";
import { isDuplicateKeyError } from "../shared/errors";
import { logger } from "../logger";
import { PurchaseModel } from "./payment.model";
import { clawbackTarget, clawbackTransferId, purchaseTransferId, type ProviderName } from "./payments.rules";
import type { Product } from "./products";
import { paymentErrors } from "./payment.errors";

/**
 * Crediting a provider payment exactly once and taking it back on a refund. Provider-agnostic:
 * the providers' verification lives in *.provider.ts, the flows in payments.service.ts.
 */
export interface PurchaseDoc {
  _id: string;
  provider: ProviderName;
  txn_id: string;
  status: "credited" | "partially_refunded" | "refunded" | "revoked";
  user_id: string | null;
  product_id: string | null;
  order_id: string | null;
  grant: { currency: Product["grants"]["currency"]; amount: number };
  paid: { amount: number; currency: string } | null;
  clawed_back: number;
  clawbacks: Array<{ id: string; amount: number; reason: string; at: Date }>;
  created_at: Date;
  updated_at: Date;
}

export function purchaseJson(p: PurchaseDoc) {
  return {
    id: p._id,
    provider: p.provider,
    product_id: p.product_id,
    status: p.status,
    grant: p.grant,
    clawed_back: p.clawed_back,
    created_at: p.created_at.toISOString(),
  };
}
export type PurchaseJson = ReturnType<typeof purchaseJson>;

const purchaseKey = (provider: ProviderName, txnId: string) => `${provider}:${txnId}`;

export async function findPurchase(provider: ProviderName, txnId: string): Promise<PurchaseDoc | null> {
  return PurchaseModel.findById(purchaseKey(provider, txnId)).lean<PurchaseDoc>();
}

export interface CreditInput {
  provider: ProviderName;
  txnId: string;
  userId: string;
  product: Product;
  quantity?: number;
  orderId?: string;
  paid?: { amount: number; currency: string };
}

export interface CreditOutcome {
  /** true when this call applied the credit; false when it was already credited (webhook, retry) */
  credited: boolean;
  purchase: PurchaseJson;
  wallet: Wallet;
}

/**
 * Credit the product's grant for one provider payment. The ledger transfer id carries the
 * provider's payment id, and the purchase row is written in the same unit, so the verify call and
 * the webhook (in any process, in any order, at the same time) credit it once.
 */
export async function creditPurchase(input: CreditInput): Promise<CreditOutcome> {
  const { provider, txnId, userId, product } = input;
  const amount = product.grants.amount * (input.quantity ?? 1);
  const id = purchaseTransferId(provider, txnId);
  const now = clock.now();
  let credited: boolean;
  try {
    const out = await withTransfer(
      { id, debit: { system: "issuance" }, credit: { userId }, currency: product.grants.currency, amount, reason: "purchase", ref: `product:${product.id}` },
      async (session) => {
        await PurchaseModel.create(
          [
            {
              _id: purchaseKey(provider, txnId),
              provider,
              txn_id: txnId,
              status: "credited",
              user_id: userId,
              product_id: product.id,
              order_id: input.orderId ?? null,
              grant: { currency: product.grants.currency, amount },
              paid: input.paid ?? null,
              created_at: now,
              updated_at: now,
            },
          ],
          { session },
        );
      },
    );
    credited = !out.replayed;
  } catch (err) {
    if ((err as { code?: unknown }).code === "transfer_id_reused") {
      throw paymentErrors.purchaseAlreadyUsed({ provider });
    }
    if (!isDuplicateKeyError(err)) throw err;
    credited = false; // the purchase row exists: credited by a concurrent call, or revoked first
  }
  const purchase = await findPurchase(provider, txnId);
  if (!purchase) throw new Error(`purchase ${provider}:${txnId} missing after credit`);
  if (purchase.status === "revoked") throw paymentErrors.purchaseRevoked({ provider });
  if (purchase.user_id !== userId) throw paymentErrors.purchaseAlreadyUsed({ provider });
  return { credited, purchase: purchaseJson(purchase), wallet: await getWallet(userId) };
}

/**
 * The App Store can revoke a transaction the app never sent us: remember it, so the stale signed
 * transaction cannot be credited later. False when the purchase exists (then claw it back instead).
 */
export async function recordRevokedBeforeCredit(provider: ProviderName, txnId: string): Promise<boolean> {
  const now = clock.now();
  try {
    await PurchaseModel.create({ _id: purchaseKey(provider, txnId), provider, txn_id: txnId, status: "revoked", created_at: now, updated_at: now });
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

const CLAIM_ATTEMPTS = 5; // concurrent refund events for one payment; each retry re-reads

/**
 * Take back the refunded share of a purchase's grant — even if the user already spent it (the
 * ledger's clawback may leave the balance negative and then flags the wallet). Each step is first
 * recorded on the purchase by a conditional update (so two concurrent refund events cannot both
 * take the same share), then every recorded step is applied by its own ledger id (so a crash
 * between the two is healed by the provider's redelivery, and a replay takes nothing twice).
 */
export async function clawBackPurchase(
  purchase: PurchaseDoc,
  share: { refunded?: number; of?: number; reason: "refund" | "chargeback" },
): Promise<{ clawed_back: number; wallet: Wallet | null }> {
  let p = purchase;
  for (let attempt = 0; p.status !== "revoked"; attempt++) {
    const of = share.of ?? p.paid?.amount ?? 1;
    const target = clawbackTarget(p.grant.amount, share.refunded ?? of, of);
    if (target <= p.clawed_back) break;
    const now = clock.now();
    const step = { id: clawbackTransferId(p.provider, p.txn_id, target), amount: target - p.clawed_back, reason: `${share.reason}_clawback`, at: now };
    const claimed = await PurchaseModel.findOneAndUpdate(
      { _id: p._id, clawed_back: p.clawed_back },
      { $set: { clawed_back: target, status: target >= p.grant.amount ? "refunded" : "partially_refunded", updated_at: now }, $push: { clawbacks: step } },
      { returnDocument: "after" },
    ).lean<PurchaseDoc>();
    if (claimed) {
      p = claimed;
      break;
    }
    if (attempt + 1 >= CLAIM_ATTEMPTS) throw paymentErrors.refundContended();
    p = (await PurchaseModel.findById(p._id).lean<PurchaseDoc>())!;
  }
  if (p.status === "revoked" || !p.user_id) return { clawed_back: 0, wallet: null };
  for (const step of p.clawbacks) {
    const out = await clawback({ id: step.id, debit: { userId: p.user_id }, credit: { system: "issuance" }, currency: p.grant.currency, amount: step.amount, reason: step.reason, ref: `purchase:${p._id}` });
    if (!out.replayed) logger.info({ purchase: p._id, amount: step.amount, reason: step.reason, balance: out.balances[p.user_id] }, "purchase clawed back");
  }
  return { clawed_back: p.clawed_back, wallet: await getWallet(p.user_id) };
}
