import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { AuditModel } from "../../src/admin/audit.model";
import { sampleNativeChapter } from "../../src/fiction/sample-book";

/**
 * The audit log: every admin action appends one entry (with the action, in its transaction where it
 * has one), GET /admin/audit filters and pages it for admins only, and nothing — no route, no model
 * call — edits or deletes an entry.
 */
describe("admin: audit log", () => {
  before(testServer);
  beforeEach(resetState);

  const audit = (admin: TestUser, query = "") => api("GET", `/api/v1/admin/audit${query}`, { token: admin.token });

  it("records bans, unbans, role changes, grants, unflags, cleanups, books and chapter imports with actor and target", async () => {
    const [admin, user] = [await createUser({ roles: ["admin"] }), await createUser()];
    await api("POST", `/api/v1/admin/users/${user.id}/ban`, { token: admin.token, body: { reason: "spam" } });
    await api("DELETE", `/api/v1/admin/users/${user.id}/ban`, { token: admin.token });
    await api("PUT", `/api/v1/admin/users/${user.id}/roles`, { token: admin.token, body: { roles: ["creator"] } });
    const grant = () => api("POST", "/api/v1/admin/economy/grants", { token: admin.token, headers: { "idempotency-key": "audit-grant-0001" }, body: { user_id: user.id, currency: "tokens", amount: 7, reason: "support" } });
    assert.equal((await grant()).status, 201);
    assert.equal((await grant()).headers.get("idempotent-replayed"), "true");
    assert.equal((await api("POST", "/api/v1/stories/admin/cleanup", { token: admin.token, body: {} })).status, 200);
    const book = await api("POST", "/api/v1/admin/books", { token: admin.token, body: { title: "Audited", genre: "drama" } });
    assert.equal(book.status, 201, JSON.stringify(book.body));
    const chapter = await api("POST", `/api/v1/admin/books/${book.body.id}/chapters`, { token: admin.token, body: { format: "native", number: 1, content: sampleNativeChapter(1) } });
    assert.equal(chapter.status, 201, JSON.stringify(chapter.body));
    const refusedChapter = await api("POST", `/api/v1/admin/books/${book.body.id}/chapters`, { token: admin.token, body: { format: "native", number: 3, content: sampleNativeChapter(3) } });
    assert.equal(refusedChapter.status, 400, "out of order: refused, so not audited");
    assert.equal((await api("POST", `/api/v1/admin/economy/accounts/${user.id}/unflag`, { token: admin.token })).status, 200);

    const all = await audit(admin);
    assert.equal(all.status, 200);
    const actions = all.body.items.map((e: any) => e.action);
    assert.deepEqual(
      actions,
      ["economy.unflag", "fiction.chapter_import", "fiction.book_create", "stories.cleanup", "economy.grant", "user.roles", "user.unban", "user.ban"],
      "newest first; the replayed grant is not audited twice",
    );
    for (const e of all.body.items) assert.equal(e.actor_id, admin.id);
    const byAction = Object.fromEntries(all.body.items.map((e: any) => [e.action, e]));
    assert.equal(byAction["user.ban"].target_id, user.id);
    assert.equal(byAction["user.ban"].details.reason, "spam");
    assert.deepEqual(byAction["user.roles"].details, { from: ["viewer"], to: ["creator"] });
    assert.equal(byAction["economy.grant"].details.amount, 7);
    assert.equal(byAction["fiction.book_create"].target_id, book.body.id);
    assert.deepEqual(byAction["fiction.chapter_import"].details, { number: 1, version: 1 });
  });

  it("a refused action writes no entry", async () => {
    const admin = await createUser({ roles: ["admin"] });
    assert.equal((await api("POST", `/api/v1/admin/users/${admin.id}/ban`, { token: admin.token, body: { reason: "x" } })).status, 409);
    assert.equal((await api("POST", "/api/v1/admin/users/0123456789abcdef01234567/ban", { token: admin.token, body: { reason: "x" } })).status, 404);
    assert.equal((await audit(admin)).body.items.length, 0);
  });

  it("filters by actor and action and pages newest first", async () => {
    const [a1, a2, user] = [await createUser({ roles: ["admin"] }), await createUser({ roles: ["admin"] }), await createUser()];
    for (let i = 0; i < 3; i++) await api("PUT", `/api/v1/admin/users/${user.id}/roles`, { token: a1.token, body: { roles: i % 2 ? ["viewer"] : ["creator"] } });
    await api("POST", `/api/v1/admin/users/${user.id}/ban`, { token: a2.token, body: { reason: "r" } });
    assert.equal((await audit(a1, `?actor=${a1.id}`)).body.items.length, 3);
    assert.deepEqual((await audit(a1, `?actor=${a2.id}`)).body.items.map((e: any) => e.action), ["user.ban"]);
    assert.equal((await audit(a1, "?action=user.roles")).body.items.length, 3);
    const first = await audit(a1, "?limit=2");
    assert.equal(first.body.items.length, 2);
    const second = await audit(a1, `?limit=2&cursor=${first.body.next_cursor}`);
    assert.equal(second.body.items.length, 2);
    assert.equal(second.body.next_cursor, null);
    assert.equal(new Set([...first.body.items, ...second.body.items].map((e: any) => e.id)).size, 4);
    assert.equal((await audit(a1, "?action=drop_tables")).status, 400);
    assert.equal((await audit(a1, "?cursor=garbage")).body.error.code, "invalid_cursor");
  });

  it("is admin-only and cannot be edited or deleted through any route or the model", async () => {
    const [admin, user] = [await createUser({ roles: ["admin"] }), await createUser()];
    await api("POST", `/api/v1/admin/users/${user.id}/ban`, { token: admin.token, body: { reason: "spam" } });
    const [entry] = (await audit(admin)).body.items;
    assert.equal((await api("GET", "/api/v1/admin/audit", { token: (await createUser()).token })).status, 403);
    assert.equal((await api("GET", "/api/v1/admin/audit")).status, 401);

    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const path of ["/api/v1/admin/audit", `/api/v1/admin/audit/${entry.id}`]) {
        const res = await api(method, path, { token: admin.token, body: { action: "user.unban", details: {} } });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.error.code, "route_not_found", `${method} ${path}`);
      }
    }
    const filter = { _id: entry.id };
    await assert.rejects(AuditModel.updateOne(filter, { $set: { action: "user.unban" } }), /append-only/);
    await assert.rejects(AuditModel.findOneAndUpdate(filter, { $set: { details: {} } }), /append-only/);
    await assert.rejects(AuditModel.replaceOne(filter, { actor_id: "x" }), /append-only/);
    await assert.rejects(AuditModel.deleteOne(filter), /append-only/);
    await assert.rejects(AuditModel.deleteMany({}), /append-only/);
    await assert.rejects(AuditModel.findOneAndDelete(filter), /append-only/);
    const loaded = await AuditModel.findById(entry.id);
    loaded!.set("action", "user.unban");
    await assert.rejects(loaded!.save(), /append-only/);
    await assert.rejects(loaded!.deleteOne(), /append-only/);
    assert.deepEqual((await audit(admin)).body.items, [entry], "the entry is unchanged");
  });
});
