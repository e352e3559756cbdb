import assert from "node:assert/strict";
import express from "express";
import { api } from "../support/http";
import { baseUrl, resetState, testServer } from "../support/server";
import { createUser } from "../support/factories";
import { mountedRoutes } from "../support/routes";
import { postStory } from "../support/stories";
import { mountHttp } from "../../src/http/api";
import { buildOpenApiDocument, isDocumentedRoute, openApiPath } from "../../src/http/openapi";
import { validate } from "../../src/http/validate";
import { assertDocumentedResponse, liveApp } from "../support/openapi";
import { rooms } from "../../src/rooms";

/**
 * The OpenAPI document is generated from the running app: every mounted route is in it, every
 * documented operation answers on the server, and sampled real responses match their schemas.
 */

type Doc = { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: unknown }> }>>; "x-rooms": any[] };

/** Mounted public routes the document lacks, as `METHOD /path/{param}`. */
function missingFromDocument(app: express.Application, doc: Doc): string[] {
  return mountedRoutes(app)
    .filter(isDocumentedRoute)
    .map((r) => `${r.method} ${openApiPath(r.path)}`)
    .filter((key) => {
      const [method, path] = key.split(" ") as [string, string];
      return !doc.paths[path]?.[method.toLowerCase()];
    });
}

/** Documented operations the server answers with "no such route" (probed over HTTP, no token). */
async function documentedButMissing(doc: Doc): Promise<string[]> {
  const missing: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      const concrete = path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === "index" ? "0" : "0123456789abcdef01234567"));
      const res = await api(method.toUpperCase(), concrete);
      if (res.status === 404 && res.body?.error?.code === "route_not_found") missing.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return missing;
}

describe("OpenAPI document and /docs", () => {
  before(testServer);
  beforeEach(resetState);

  it("is served as OpenAPI 3.1 and lists every mounted public route, with auth and error shapes", async () => {
    const res = await api<Doc>("GET", "/api/v1/openapi.json");
    assert.equal(res.status, 200);
    const doc = res.body;
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(missingFromDocument(await liveApp(), doc), []);
    assert.ok(Object.keys(doc.paths).length >= 30, `${Object.keys(doc.paths).length} paths`);
    const create = doc.paths["/api/v1/stories"]!.post!;
    assert.deepEqual(create.security, [{ bearer: [] }]);
    assert.ok(create.responses["201"]?.content, "the creation documents its 201 body");
    assert.ok(create.responses["400"]?.content && create.responses["401"], "error responses documented");
    assert.deepEqual(doc.paths["/api/v1/auth/login"]!.post!.security, [], "sign-in needs no token");
    assert.ok(doc.paths["/api/v1/stories/admin/cleanup"]!.post!.responses["403"], "an admin route documents its 403");
  });

  it("documents nothing that does not exist on the server", async () => {
    const doc = (await api<Doc>("GET", "/api/v1/openapi.json")).body;
    assert.deepEqual(await documentedButMissing(doc), []);
    // the probe does notice an operation that is not there
    const forged = { ...doc, paths: { ...doc.paths, "/api/v1/nowhere/{id}": { get: { responses: {} } } } };
    assert.deepEqual(await documentedButMissing(forged), ["GET /api/v1/nowhere/{id}"]);
  });

  it("picks up a route a feature mounts, with the schemas its validate() uses", async () => {
    const app = express();
    mountHttp(app, rooms);
    const { z } = await import("zod");
    const extra = express.Router();
    extra.post("/:thing_id/widgets", validate({ params: z.object({ thing_id: z.string() }), body: z.object({ size: z.number().int() }), summary: "Make a widget" }), (_req, res) => {
      res.json({});
    });
    app.use("/api/v1/things", extra);
    const doc = buildOpenApiDocument(app) as unknown as Doc & { paths: Record<string, Record<string, any>> };
    const op = doc.paths["/api/v1/things/{thing_id}/widgets"]?.post;
    assert.ok(op, "the new route is documented");
    assert.equal(op.summary, "Make a widget");
    assert.equal(op.parameters[0].name, "thing_id");
    assert.equal(op.requestBody.content["application/json"].schema.properties.size.type, "integer");
    assert.deepEqual(missingFromDocument(app, doc), []);
  });

  it("real responses match their documented schemas (sample: auth and stories)", async () => {
    const reg = await api("POST", "/api/v1/auth/register", { body: { username: "docs_user", password: "long enough pw", roles: ["creator"] } });
    await assertDocumentedResponse("POST", "/api/v1/auth/register", reg);
    const login = await api("POST", "/api/v1/auth/login", { body: { username: "docs_user", password: "long enough pw" } });
    await assertDocumentedResponse("POST", "/api/v1/auth/login", login);
    const token = login.body.access_token as string;
    await assertDocumentedResponse("GET", "/api/v1/auth/profile", await api("GET", "/api/v1/auth/profile", { token }));
    await assertDocumentedResponse("PATCH", "/api/v1/auth/profile", await api("PATCH", "/api/v1/auth/profile", { token, body: { bio: "hi" } }));
    const created = await api("POST", "/api/v1/stories", { token, body: { story_type: "text", text_content: "hello", privacy: "public" } });
    await assertDocumentedResponse("POST", "/api/v1/stories", created);
    const viewer = await createUser();
    await assertDocumentedResponse("GET", "/api/v1/stories/:id", await api("GET", `/api/v1/stories/${created.body.id}`, { token: viewer.token }));
    const other = await postStory(await createUser({ roles: ["creator"] }));
    await assertDocumentedResponse("GET", "/api/v1/stories/:id", await api("GET", `/api/v1/stories/${other}`, { token }));
  });

  it("documents the rooms from the registry: join options, messages in and out, state fields", async () => {
    const doc = (await api<Doc>("GET", "/api/v1/openapi.json")).body;
    const story = doc["x-rooms"].find((r) => r.name === "story");
    assert.ok(story, "the story room is documented");
    assert.deepEqual(story.filterBy, ["authorId"]);
    assert.deepEqual(Object.keys(story.joinOptions.properties), ["authorId"]);
    for (const type of ["view", "interact", "react", "reply"]) assert.ok(story.messagesIn[type], `message ${type}`);
    assert.equal(story.messagesIn.view.properties.storyId.type, "string");
    assert.ok(story.messagesOut.error);
    assert.equal(story.state.type, "StoryRoomState");
    assert.equal(story.state.fields.stories.type, "map");
    assert.ok(story.state.fields.stories.item.fields.stickers, "nested state classes are described");
    assert.deepEqual(doc["x-rooms"].map((r) => r.name), Object.keys(rooms), "every registered room");
  });

  it("serves Swagger UI at /docs pointing at the document", async () => {
    const page = await fetch(`${baseUrl}/docs/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui/);
    const init = await (await fetch(`${baseUrl}/docs/swagger-ui-init.js`)).text();
    assert.match(init, /\/api\/v1\/openapi\.json/);
  });
});
