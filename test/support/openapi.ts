import assert from "node:assert/strict";
import type express from "express";
import type { z } from "zod";
import { testServer } from "./server";
import { mountedRoutes } from "./routes";
import { docsOf } from "../../src/http/route-catalogue";
import { successStatuses, type ValidSchemas } from "../../src/http/validate";

/** The Express app inside the booted test server (the one the document is generated from). */
export async function liveApp(): Promise<express.Application> {
  const colyseus = await testServer();
  return (colyseus.server.transport as unknown as { getExpressApp(): express.Application }).getExpressApp();
}

/**
 * Check a real response against the zod response schema its route documents: a documented success
 * status, and a body the schema accepts (response schemas are strict where the presenter's output
 * is fixed, so an undocumented field fails too). Returns the body for further checks.
 */
export async function assertDocumentedResponse<T = any>(method: string, template: string, res: { status: number; body: T }): Promise<T> {
  const route = mountedRoutes(await liveApp()).find((r) => r.method === method && r.path === template);
  assert.ok(route, `${method} ${template} is mounted`);
  const docs = docsOf<{ validate: ValidSchemas }>(route.handlers).validate;
  assert.ok(docs?.response, `${method} ${template} documents a response schema`);
  assert.ok(successStatuses(docs).includes(res.status), `${method} ${template} answered ${res.status} (documented ${successStatuses(docs)}): ${JSON.stringify(res.body)}`);
  const parsed = (docs.response as z.ZodType).safeParse(res.body);
  assert.ok(parsed.success, `${method} ${template}: ${parsed.success ? "" : JSON.stringify(parsed.error.issues)}`);
  return res.body;
}
