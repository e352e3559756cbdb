import { Router, type RequestHandler } from "express";
import { validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { consumeRateLimit, type RateLimit } from "../infra/rate-limit";
import { config } from "../config";
import { loginBody, logoutBody, profilePatchBody, refreshBody, registerBody } from "./auth.schemas";
import * as auth from "./auth.service";

/** 5 attempts a minute per IP and per account (the marketplace spec), shared across processes. */
function authLimit(scope: "ip" | "account"): RateLimit {
  return { scope: `auth:${scope}`, limit: config().AUTH_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
}

const limitByIp: RequestHandler = async (req, _res, next) => {
  await consumeRateLimit(authLimit("ip"), req.ip ?? "unknown");
  next();
};
/** runs after validation, so the account key is a well-formed username */
const limitByAccount: RequestHandler<any, any, any, any, { valid: { body: { username: string } } }> = async (_req, res, next) => {
  await consumeRateLimit(authLimit("account"), res.locals.valid.body.username.toLowerCase());
  next();
};

export function authRouter(): Router {
  const r = Router();
  r.post("/register", limitByIp, validate({ body: registerBody }), async (req, res) => {
    res.status(201).json(await auth.register(res.locals.valid.body));
  });
  r.post("/login", limitByIp, validate({ body: loginBody }), limitByAccount, async (req, res) => {
    res.json(await auth.login(res.locals.valid.body.username, res.locals.valid.body.password));
  });
  r.post("/refresh", limitByIp, validate({ body: refreshBody }), async (req, res) => {
    res.json(await auth.refresh(res.locals.valid.body.refresh_token));
  });
  r.post("/logout", requireAuth(), validate({ body: logoutBody }), async (req, res) => {
    await auth.logout(principalOf(req).userId, res.locals.valid.body.refresh_token);
    res.status(204).end();
  });
  r.get("/profile", requireAuth(), async (req, res) => {
    res.json({ user: await auth.getProfile(principalOf(req).userId) });
  });
  r.patch("/profile", requireAuth(), validate({ body: profilePatchBody }), async (req, res) => {
    res.json({ user: await auth.updateProfile(principalOf(req).userId, res.locals.valid.body) });
  });
  return r;
}
