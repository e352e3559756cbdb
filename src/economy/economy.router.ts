import { Router, type Request } from "express";
import { describeRoute, validate, parseOrThrow } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { findUserById } from "../auth/user.repository";
import { adminGrantBodySchema, idempotencyKeySchema, ledgerQuerySchema, userIdParams } from "./economy.schemas";
import { getWallet, listLedger, unflagWallet, withTransfer } from "./ledger.service";
import { recordAudit } from "../admin/audit";
import { reconcile } from "./reconcile.service";
import type { AccountRef, TransferResult } from "./economy.types";
import { ledgerPageResponse, reconcileResponse, transferResponse, walletResponse } from "./economy.responses";
import { economyErrors } from "./economy.errors";
import { authErrors } from "../auth/auth.errors";

function refJson(ref: AccountRef) {
  return "userId" in ref ? { user_id: ref.userId } : { system: ref.system };
}

/** REST shape of a transfer; whether it was a replay travels in the Idempotent-Replayed header. */
export function transferJson(t: TransferResult) {
  return {
    id: t.id,
    currency: t.currency,
    amount: t.amount,
    debit: refJson(t.debit),
    credit: refJson(t.credit),
    reason: t.reason,
    ref: t.ref ?? null,
    created_at: t.created_at,
    balances: t.balances,
  };
}

function idempotencyKey(req: Request): string {
  const raw = req.get("idempotency-key");
  if (raw === undefined) throw economyErrors.idempotencyKeyRequired();
  return parseOrThrow(idempotencyKeySchema, raw, "header");
}

/** /api/v1/wallet — the caller's own wallet and ledger. */
export function walletRouter(): Router {
  const r = Router();
  r.use(requireAuth());
  r.get("/", describeRoute({ response: walletResponse, summary: "Your balances, held amounts and key regeneration" }), async (req, res) => {
    res.json(await getWallet(principalOf(req).userId));
  });
  r.get("/ledger", validate({ query: ledgerQuerySchema, response: ledgerPageResponse, summary: "Your ledger entries, newest first (filter by currency)" }), async (req, res) => {
    res.json(await listLedger(principalOf(req).userId, res.locals.valid.query));
  });
  return r;
}

/** /api/v1/admin/economy — admins only. */
export function economyAdminRouter(): Router {
  const r = Router();
  r.use(requireAuth("admin"));
  r.get("/reconcile", describeRoute({ response: reconcileResponse, summary: "Check every balance against the ledger" }), async (_req, res) => {
    res.json(await reconcile());
  });
  // a grant from promo to a user; the Idempotency-Key header makes a retried request grant once
  r.post("/grants", validate({ body: adminGrantBodySchema, example: { user_id: "665f1c2e8b3c4a0012345678", currency: "tokens", amount: 50, reason: "goodwill" }, response: transferResponse, status: 201, summary: "Grant a user currency from promo (Idempotency-Key header required; a retry replays)", errors: { 400: "Invalid body, or `idempotency_key_required`.", 404: "`user_not_found`.", 409: "`transfer_id_reused`: the key was used for a different grant." } }), async (req, res) => {
    const key = idempotencyKey(req);
    const body = res.locals.valid.body;
    if (!(await findUserById(body.user_id))) throw authErrors.userNotFound();
    const actorId = principalOf(req).userId;
    const id = `admin_grant:${key}`;
    // the audit row commits with the grant; a replayed grant writes neither again
    const { transfers, replayed } = await withTransfer(
      { id, debit: { system: "promo" }, credit: { userId: body.user_id }, currency: body.currency, amount: body.amount, reason: body.reason, ref: `admin:${actorId}` },
      (session) => recordAudit({ actorId, action: "economy.grant", targetType: "user", targetId: body.user_id, details: { transfer_id: id, currency: body.currency, amount: body.amount, reason: body.reason } }, session),
    );
    const result = { ...transfers[0]!, replayed };
    res.setHeader("Idempotent-Replayed", String(result.replayed));
    res.status(201).json(transferJson(result));
  });
  r.post("/accounts/:user_id/unflag", validate({ params: userIdParams, response: walletResponse, summary: "Clear a wallet's fraud flag" }), async (req, res) => {
    const userId = res.locals.valid.params.user_id;
    if (!(await findUserById(userId))) throw authErrors.userNotFound();
    const wallet = await unflagWallet(userId);
    await recordAudit({ actorId: principalOf(req).userId, action: "economy.unflag", targetType: "user", targetId: userId });
    res.json(wallet);
  });
  return r;
}
