import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { mountedRoutes } from "../support/routes";
import { liveApp } from "../support/openapi";
import { isDocumentedRoute, openApiPath } from "../../src/http/openapi";
import { docsOf } from "../../src/http/route-catalogue";
import { successStatuses, type ValidSchemas } from "../../src/http/validate";

type Operation = { summary: string; responses: Record<string, { content?: { "application/json"?: { schema?: unknown } } }> };
type Doc = { "x-rooms": Array<{ name: string; joinOptions?: unknown; state?: { fields: object }; messagesIn: object; notes?: { state?: string; messagesIn?: string } }>; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { example?: unknown }> } };

/**
 * Completeness of the generated document: every public route says what it answers (a response
 * schema for every success that has a body), has a written summary, and every named response
 * component carries an example. The sampled real responses are in openapi-samples*.test.ts.
 */
describe("OpenAPI responses: every route documents what it returns", () => {
  before(testServer);
  beforeEach(resetState);

  it("every public route declares a summary and a response schema for each success with a body", async () => {
    const gaps: string[] = [];
    for (const route of mountedRoutes(await liveApp()).filter(isDocumentedRoute)) {
      const docs = docsOf<{ validate: ValidSchemas }>(route.handlers).validate ?? {};
      const key = `${route.method} ${route.path}`;
      if (!docs.summary) gaps.push(`${key}: no summary`);
      const withBody = successStatuses(docs).filter((s) => s !== 204 && s !== 304);
      if (withBody.length && !docs.response) gaps.push(`${key}: no response schema`);
    }
    assert.deepEqual(gaps, []);
  });

  it("every route taking a body documents an example request that its own body schema accepts", async () => {
    const gaps: string[] = [];
    for (const route of mountedRoutes(await liveApp()).filter(isDocumentedRoute)) {
      const docs = docsOf<{ validate: ValidSchemas }>(route.handlers).validate ?? {};
      if (!docs.body) continue;
      const key = `${route.method} ${route.path}`;
      if (docs.example === undefined) gaps.push(`${key}: no example`);
      else {
        const parsed = docs.body.safeParse(docs.example);
        if (!parsed.success) gaps.push(`${key}: example refused: ${JSON.stringify(parsed.error.issues)}`);
      }
    }
    assert.deepEqual(gaps, []);
    const doc = (await api<Doc>("GET", "/api/v1/openapi.json")).body as unknown as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>> };
    assert.deepEqual(doc.paths["/api/v1/stories/{id}/reply"]!.post!.requestBody!.content["application/json"]!.example, { text: "Nice pace!" }, "the example is in the document");
  });

  it("the served document carries them: a JSON schema per success body, examples on named schemas", async () => {
    const doc = (await api<Doc>("GET", "/api/v1/openapi.json")).body;
    const gaps: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const successes = Object.entries(op.responses).filter(([s]) => s.startsWith("2") && s !== "204");
        for (const [status, res] of successes) if (!res.content?.["application/json"]?.schema) gaps.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    assert.deepEqual(gaps, []);
    const withoutExample = Object.entries(doc.components.schemas).filter(([, s]) => s.example === undefined).map(([id]) => id);
    assert.deepEqual(withoutExample, [], "named schemas without an example");
    // the check is real: a route documented with a path of its own shows up
    assert.ok(doc.paths[openApiPath("/api/v1/stories/:id")]?.get?.responses["200"]?.content);
  });

  it("every room documents its join options, its state fields and its messages (or says why it has none)", async () => {
    const doc = (await api<Doc>("GET", "/api/v1/openapi.json")).body;
    const gaps = doc["x-rooms"].flatMap((r) => [
      ...(r.joinOptions ? [] : [`${r.name}: no join options`]),
      ...((r.state && Object.keys(r.state.fields).length) || r.notes?.state ? [] : [`${r.name}: no state fields`]),
      ...(Object.keys(r.messagesIn).length || r.notes?.messagesIn ? [] : [`${r.name}: no messages in`]),
    ]);
    assert.deepEqual(gaps, []);
    assert.ok(doc["x-rooms"].length >= 5);
    // a listen-only room is documented as such, not silently empty
    const feed = doc["x-rooms"].find((r) => r.name === "feed")!;
    assert.deepEqual(Object.keys(feed.messagesIn), []);
    assert.match(feed.notes?.messagesIn ?? "", /listen-only/);
  });
});
