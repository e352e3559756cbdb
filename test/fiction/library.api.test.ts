import assert from "node:assert/strict";
import { api } from "../support/http";
import { createUser, type TestUser } from "../support/factories";
import { manualClock, resetState, testServer } from "../support/server";
import { seedSampleBook } from "../../src/fiction/seed";
import { sampleInkSource, sampleNativeChapter } from "../../src/fiction/sample-book";
import { inTransaction } from "../../src/infra/transaction";
import { countRead } from "../../src/fiction/library.repository";
import { refreshAllPopularity, refreshPopularity } from "../../src/fiction/library.service";
import { utcDay } from "../../src/fiction/library.rules";

async function createBook(admin: TestUser, body: Record<string, unknown>) {
  const res = await api("POST", "/api/v1/admin/books", { token: admin.token, body: { description: "", genre: "romance", ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string };
}

async function addReads(bookId: string, n: number, at: Date) {
  for (let i = 0; i < n; i++) await inTransaction((s) => countRead(bookId, utcDay(at), s));
  await refreshPopularity(bookId);
}

describe("fiction library REST", () => {
  let admin: TestUser;
  let reader: TestUser;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    admin = await createUser({ roles: ["admin"] });
    reader = await createUser();
  });

  describe("admin import", () => {
    it("creates a book and imports chapters in order, native and Ink; only admins may", async () => {
      const denied = await api("POST", "/api/v1/admin/books", { token: reader.token, body: { title: "T", genre: "romance" } });
      assert.equal(denied.status, 403);
      const book = await createBook(admin, { title: "Test book" });
      const ch1 = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "native", number: 1, content: sampleNativeChapter(1) } });
      assert.equal(ch1.status, 201, JSON.stringify(ch1.body));
      assert.deepEqual(ch1.body, { book_id: book.id, number: 1, version: 1, title: "The Gate", format: "native", premium: true });
      const gap = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "native", number: 3, content: sampleNativeChapter(3) } });
      assert.equal(gap.status, 400);
      assert.equal(gap.body.error.code, "chapter_out_of_order");
      const ink = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "ink", number: 2, title: "The Ball", source: sampleInkSource() } });
      assert.equal(ink.status, 201, JSON.stringify(ink.body));
      assert.equal(ink.body.format, "ink");
      assert.equal(ink.body.premium, true, "a #cost tag makes the chapter premium");
      const again = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "native", number: 1, content: sampleNativeChapter(1) } });
      assert.equal(again.body.version, 2, "a re-import is a new version");
      const got = await api("GET", `/api/v1/books/${book.id}`);
      assert.equal(got.body.chapter_count, 2);
      assert.deepEqual(got.body.chapters, [
        { number: 1, title: "The Gate", premium: true },
        { number: 2, title: "The Ball", premium: true },
      ]);
    });

    it("refuses broken content with every problem and its scene, and stores nothing", async () => {
      const book = await createBook(admin, { title: "Broken" });
      const content = sampleNativeChapter(1) as any;
      content.scenes.gate.choice.options[2].cost = 0;
      content.scenes.persuade.nextSceneId = "nowhere";
      delete content.scenes.confront.nextSceneId;
      const res = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "native", number: 1, content } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, "invalid_content");
      assert.deepEqual(
        res.body.error.details.map((p: any) => [p.scene_id, p.code]),
        [
          ["gate", "invalid_cost"],
          ["confront", "dead_end"],
          ["persuade", "unknown_next_scene"],
        ],
      );
      const unknownFlag = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "native", number: 1, content: sampleNativeChapter(2) } });
      assert.equal(unknownFlag.status, 400, "chapter 2 as chapter 1: bribed_guard is set by no earlier chapter");
      assert.deepEqual(unknownFlag.body.error.details.map((p: any) => [p.scene_id, p.code]), [["balcony", "unknown_flag"]]);
      const badInk = await api("POST", `/api/v1/admin/books/${book.id}/chapters`, { token: admin.token, body: { format: "ink", number: 1, title: "x", source: "-> nowhere" } });
      assert.equal(badInk.status, 400);
      assert.equal(badInk.body.error.details[0].code, "ink_compile_error");
      assert.equal((await api("GET", `/api/v1/books/${book.id}`)).body.chapter_count, 0);
    });
  });

  describe("catalog", () => {
    it("lists new releases and popular books (reads in the last 7 days), by genre, paged", async () => {
      const clock = manualClock(Date.parse("2026-06-10T12:00:00Z"));
      const a = await createBook(admin, { title: "Alpha", genre: "romance" });
      clock.advance(1000);
      const b = await createBook(admin, { title: "Beta", genre: "mystery" });
      clock.advance(1000);
      const c = await createBook(admin, { title: "Gamma", genre: "romance" });
      await createBook(admin, { title: "Draft", published: false });

      const news = await api("GET", "/api/v1/books?sort=new");
      assert.deepEqual(news.body.items.map((x: any) => x.title), ["Gamma", "Beta", "Alpha"]);
      assert.deepEqual(Object.keys(news.body.items[0]).sort(), ["chapter_count", "cover_url", "description", "genre", "id", "published_at", "reads_7d", "tags", "title"]);

      await addReads(a.id, 3, clock.now());
      await addReads(b.id, 1, new Date(clock.now().getTime() - 6 * 86_400_000)); // 6 days ago: in the window
      await addReads(c.id, 5, new Date(clock.now().getTime() - 7 * 86_400_000)); // 7 days ago: out
      const popular = await api("GET", "/api/v1/books?sort=popular");
      assert.deepEqual(popular.body.items.map((x: any) => [x.title, x.reads_7d]), [["Alpha", 3], ["Beta", 1], ["Gamma", 0]]);

      const page1 = await api("GET", "/api/v1/books?sort=popular&limit=2");
      assert.equal(page1.body.items.length, 2);
      const page2 = await api("GET", `/api/v1/books?sort=popular&limit=2&cursor=${page1.body.next_cursor}`);
      assert.deepEqual(page2.body.items.map((x: any) => x.title), ["Gamma"]);
      assert.equal(page2.body.next_cursor, null);

      const romance = await api("GET", "/api/v1/books?genre=romance&sort=new");
      assert.deepEqual(romance.body.items.map((x: any) => x.title), ["Gamma", "Alpha"]);

      // a day later Beta's read leaves the window once the popularity job runs
      clock.advance(86_400_000);
      await refreshAllPopularity();
      const later = await api("GET", "/api/v1/books?sort=popular");
      assert.deepEqual(later.body.items.map((x: any) => [x.title, x.reads_7d]), [["Alpha", 3], ["Gamma", 0], ["Beta", 0]]);

      const genres = await api("GET", "/api/v1/books/genres");
      assert.deepEqual(genres.body.items, [{ genre: "romance", book_count: 2 }, { genre: "mystery", book_count: 1 }]);
      assert.equal((await api("GET", "/api/v1/books?cursor=garbage")).body.error.code, "invalid_cursor");
      assert.equal((await api("GET", "/api/v1/books?sort=best")).status, 400);
    });

    it("searches title and description by words, the last one as a prefix, accents and case ignored", async () => {
      await createBook(admin, { title: "The Crown and the Gate", description: "A prince with a secret." });
      await createBook(admin, { title: "Café Noir", description: "Murder at the CROWN hotel (1920s)." });
      await createBook(admin, { title: "Gates of Dawn", description: "Sci-fi." });
      const titles = async (q: string) => (await api("GET", `/api/v1/books?sort=new&q=${encodeURIComponent(q)}`)).body.items.map((x: any) => x.title).sort();
      assert.deepEqual(await titles("crown"), ["Café Noir", "The Crown and the Gate"]);
      assert.deepEqual(await titles("crown ga"), ["The Crown and the Gate"]);
      assert.deepEqual(await titles("cafe"), ["Café Noir"]);
      assert.deepEqual(await titles("GATE"), ["Gates of Dawn", "The Crown and the Gate"]);
      assert.deepEqual(await titles("secret prince"), ["The Crown and the Gate"]);
      assert.deepEqual(await titles(".*"), ["Café Noir", "Gates of Dawn", "The Crown and the Gate"], "no words: no filter");
      assert.deepEqual(await titles("(1920s"), ["Café Noir"], "regex characters are only separators");
      assert.deepEqual(await titles("dragons"), []);
    });

    it("hides drafts and unknown books", async () => {
      const draft = await createBook(admin, { title: "Draft", published: false });
      assert.equal((await api("GET", `/api/v1/books/${draft.id}`)).status, 404);
      assert.equal((await api("GET", "/api/v1/books/0123456789abcdef01234567")).body.error.code, "book_not_found");
      assert.equal((await api("GET", "/api/v1/books/not-an-id")).status, 400);
    });
  });

  describe("chapter content", () => {
    it("is cacheable JSON with a strong ETag, 304 on If-None-Match, and a new tag for a new version", async () => {
      const { book_id } = await seedSampleBook();
      const url = `/api/v1/books/${book_id}/chapters/1/content`;
      const first = await api("GET", url);
      assert.equal(first.status, 200);
      const etag = first.headers.get("etag")!;
      assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/);
      assert.equal(first.headers.get("cache-control"), "public, max-age=300");
      const again = await api("GET", url, { headers: { "if-none-match": etag } });
      assert.equal(again.status, 304);
      assert.equal(again.body, undefined);
      assert.equal(again.headers.get("etag"), etag);
      assert.equal((await api("GET", url, { headers: { "if-none-match": `"other", W/${etag}` } })).status, 304);
      assert.equal((await api("GET", url, { headers: { "if-none-match": '"other"' } })).status, 200);

      const changed = sampleNativeChapter(1) as any;
      changed.scenes.gate.timeline[0].text = "Stop right there!";
      await api("POST", `/api/v1/admin/books/${book_id}/chapters`, { token: admin.token, body: { format: "native", number: 1, content: changed } });
      const fresh = await api("GET", url, { headers: { "if-none-match": etag } });
      assert.equal(fresh.status, 200);
      assert.notEqual(fresh.headers.get("etag"), etag);
      assert.equal(fresh.body.version, 2);
    });

    it("carries the presentation only: no effects, no conditions, no next scene of a gated option", async () => {
      const { book_id } = await seedSampleBook();
      const ch2 = await api("GET", `/api/v1/books/${book_id}/chapters/3/content`);
      const raw = JSON.stringify(ch2.body);
      assert.ok(!raw.includes("effects") && !raw.includes("conditions") && !raw.includes("min_relationship"));
      assert.deepEqual(ch2.body.scenes.verdict.choice.options, [
        { id: "liam_defends", text: "Look to Liam." },
        { id: "accept", text: "Accept the court's judgement.", nextSceneId: "end_exile" },
        { id: "evidence", text: "Produce the uncle's letters (30 Diamonds)", cost: 30 },
      ]);
      assert.equal(ch2.body.scenes.trial.nextSceneId, "verdict");
      assert.equal(ch2.body.scenes.end_crowned.end, true);
      const ink = await api("GET", `/api/v1/books/${book_id}/chapters/2/content`);
      assert.equal(ink.status, 200);
      assert.equal(ink.body.format, "ink");
      assert.equal(ink.body.scenes, null, "an Ink story is evaluated on the server only");
      assert.equal((await api("GET", `/api/v1/books/${book_id}/chapters/9/content`)).body.error.code, "chapter_not_found");
    });
  });
});
