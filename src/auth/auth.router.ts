import { Router, type Response } from "express";
import { describeRoute, validate } from "../http/validate";
import { principalOf, requireAuth } from "../http/auth";
import { limitRequests } from "../http/rate-limit";
import type { RateLimit } from "../infra/rate-limit";
import { config } from "../config";
import { loginBody, logoutBody, profilePatchBody, profileResponse, refreshBody, registerBody, sessionResponse } from "./auth.schemas";
import * as auth from "./auth.service";

/** 5 attempts a minute per IP and per account (the marketplace spec), shared across processes. */
function authLimit(scope: "ip" | "account"): RateLimit {
  return { scope: `auth:${scope}`, limit: config().AUTH_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
}

const limitByIp = limitRequests(() => authLimit("ip"), (req) => req.ip ?? "unknown");
/** runs after validation, so the account key is a well-formed username */
const limitByAccount = limitRequests<Response<unknown, { valid: { body: { username: string } } }>>(
  () => authLimit("account"),
  (_req, res) => res.locals.valid.body.username.toLowerCase(),
);

export function authRouter(): Router {
  const r = Router();
  r.post("/register", limitByIp, validate({ body: registerBody, example: { username: "mira", password: "a long passphrase", roles: ["creator"], display_name: "Mira" }, response: sessionResponse, status: 201, summary: "Create an account and sign in" }), async (req, res) => {
    res.status(201).json(await auth.register(res.locals.valid.body));
  });
  r.post("/login", limitByIp, validate({ body: loginBody, example: { username: "mira", password: "a long passphrase" }, response: sessionResponse, summary: "Sign in with username and password" }), limitByAccount, async (req, res) => {
    res.json(await auth.login(res.locals.valid.body.username, res.locals.valid.body.password));
  });
  r.post("/refresh", limitByIp, validate({ body: refreshBody, example: { refresh_token: "q4VbR2x9TnL0aP7sWm3eYc8u" }, response: sessionResponse, summary: "Rotate a refresh token for a new session" }), async (req, res) => {
    res.json(await auth.refresh(res.locals.valid.body.refresh_token));
  });
  r.post("/logout", requireAuth(), validate({ body: logoutBody, example: { refresh_token: "q4VbR2x9TnL0aP7sWm3eYc8u" }, status: 204, summary: "Sign out (revoke one refresh token, or all)" }), async (req, res) => {
    await auth.logout(principalOf(req).userId, res.locals.valid.body.refresh_token);
    res.status(204).end();
  });
  r.get("/profile", requireAuth(), describeRoute({ response: profileResponse, summary: "The signed-in user" }), async (req, res) => {
    res.json({ user: await auth.getProfile(principalOf(req).userId) });
  });
  r.patch("/profile", requireAuth(), validate({ body: profilePatchBody, example: { bio: "runs at dawn", avatar_url: "https://cdn.example/mira.jpg" }, response: profileResponse, summary: "Edit the signed-in user's profile" }), async (req, res) => {
    res.json({ user: await auth.updateProfile(principalOf(req).userId, res.locals.valid.body) });
  });
  return r;
}
