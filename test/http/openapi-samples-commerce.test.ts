import assert from "node:assert/strict";
import { api } from "../support/http";
import { resetState, testServer } from "../support/server";
import { createUser, type TestUser } from "../support/factories";
import { assertDocumentedResponse as check } from "../support/openapi";
import { admin, applyTo, brandOwner, influencer, postCampaign, startDeal } from "../support/marketplace";
import { createStream, goLive, grantTokens, seedGiftCatalog } from "../support/live";
import { seedSampleBook } from "../../src/fiction/seed";

/**
 * Real responses of fiction, the economy, the store, the marketplace, messages and live streams
 * checked against the (strict) response schemas their routes document.
 */
describe("OpenAPI samples: fiction, money, marketplace and live routes answer what they document", () => {
  let user: TestUser;
  before(testServer);
  beforeEach(async () => {
    await resetState();
    user = await createUser();
  });
  const as = (u: TestUser, method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(method, path, { token: u.token, body, headers });

  it("books and play: catalog, genres, a book, chapter content, start, advance, choice, progress, inventory", async () => {
    const bookId = (await seedSampleBook()).book_id;
    await check("GET", "/api/v1/books", await api("GET", "/api/v1/books"));
    await check("GET", "/api/v1/books/genres", await api("GET", "/api/v1/books/genres"));
    const book = await check("GET", "/api/v1/books/:id", await api("GET", `/api/v1/books/${bookId}`));
    for (const { number } of book.chapters) {
      await check("GET", "/api/v1/books/:id/chapters/:n/content", await api("GET", `/api/v1/books/${bookId}/chapters/${number}/content`));
    }
    const start = await check("POST", "/api/v1/play/start", await as(user, "POST", "/api/v1/play/start", { book_id: bookId, chapter: 1 }));
    const choice = await check("POST", "/api/v1/play/choice", await as(user, "POST", "/api/v1/play/choice", { book_id: bookId, scene_id: start.scene.id, choice_id: start.options[0].id, step: start.step }));
    assert.equal(choice.applied, true);
    await check("POST", "/api/v1/play/advance", await as(user, "POST", "/api/v1/play/advance", { book_id: bookId }));
    await check("GET", "/api/v1/play/progress/:book_id", await as(user, "GET", `/api/v1/play/progress/${bookId}`));
    await check("GET", "/api/v1/inventory", await as(user, "GET", "/api/v1/inventory"));
    const boss = await admin();
    const created = await check("POST", "/api/v1/admin/books", await as(boss, "POST", "/api/v1/admin/books", { title: "Docs", description: "", genre: "romance" }));
    assert.equal(created.chapter_count, 0);
  });

  it("wallet, store and purchases: wallet, ledger, catalog, a dev purchase, a grant, reconcile", async () => {
    await check("GET", "/api/v1/store/products", await api("GET", "/api/v1/store/products"));
    const bought = await check("POST", "/api/v1/purchases/dev", await as(user, "POST", "/api/v1/purchases/dev", { product_id: "tokens_100" }, { "idempotency-key": "docs-purchase-1" }));
    assert.equal(bought.credited, true);
    await check("GET", "/api/v1/purchases/apple/account-token", await as(user, "GET", "/api/v1/purchases/apple/account-token"));
    await check("GET", "/api/v1/wallet", await as(user, "GET", "/api/v1/wallet"));
    const ledger = await check("GET", "/api/v1/wallet/ledger", await as(user, "GET", "/api/v1/wallet/ledger"));
    assert.ok(ledger.items.length >= 1);
    const boss = await admin();
    await check("POST", "/api/v1/admin/economy/grants", await as(boss, "POST", "/api/v1/admin/economy/grants", { user_id: user.id, currency: "tokens", amount: 5, reason: "docs" }, { "idempotency-key": "docs-grant" }));
    await check("POST", "/api/v1/admin/economy/accounts/:user_id/unflag", await as(boss, "POST", `/api/v1/admin/economy/accounts/${user.id}/unflag`));
    const report = await check("GET", "/api/v1/admin/economy/reconcile", await as(boss, "GET", "/api/v1/admin/economy/reconcile"));
    assert.equal(report.ok, true);
  });

  it("marketplace and messages: listings, applications, a negotiation step, conversations, plans, orders, payouts, debug", async () => {
    const brand = await brandOwner();
    const inf = await influencer();
    const campaign = await postCampaign(brand);
    await check("GET", "/api/v1/campaigns", await as(inf, "GET", "/api/v1/campaigns"));
    await check("GET", "/api/v1/campaigns/:id", await as(inf, "GET", `/api/v1/campaigns/${campaign.id}`));
    const application = await applyTo(inf, { campaign_id: campaign.id });
    await check("GET", "/api/v1/requests/:id", await as(brand, "GET", `/api/v1/requests/${application.id}`));
    await check("GET", "/api/v1/campaigns/:id/applications", await as(brand, "GET", `/api/v1/campaigns/${campaign.id}/applications`));
    const { brand: b2, conversationId } = await startDeal();
    const step = await check("POST", "/api/v1/messages/conversations/:id/button-click", await as(b2, "POST", `/api/v1/messages/conversations/${conversationId}/button-click`, { action: "accept_proposal" }));
    assert.notEqual(step.next_flow_state, step.previous_state);
    await check("GET", "/api/v1/messages/conversations/:id/messages", await as(b2, "GET", `/api/v1/messages/conversations/${conversationId}/messages`));
    const list = await check("GET", "/api/v1/messages/conversations", await as(b2, "GET", "/api/v1/messages/conversations"));
    assert.ok(list.conversations[0].last_message, "the sample covers a conversation with messages");
    await check("GET", "/api/v1/messages/unread-count", await as(b2, "GET", "/api/v1/messages/unread-count"));
    await check("PUT", "/api/v1/messages/conversations/:id/seen", await as(b2, "PUT", `/api/v1/messages/conversations/${conversationId}/seen`));
    const direct = await check("POST", "/api/v1/messages/conversations/direct", await as(brand, "POST", "/api/v1/messages/conversations/direct", { user_id: inf.id }));
    await check("POST", "/api/v1/messages", await as(brand, "POST", "/api/v1/messages", { conversation_id: direct.conversation.id, message: "Hello" }));
    await check("GET", "/api/v1/subscriptions/plans", await as(brand, "GET", "/api/v1/subscriptions/plans"));
    await check("GET", "/api/v1/subscriptions", await as(brand, "GET", "/api/v1/subscriptions"));
    await check("GET", "/api/v1/payments/orders", await as(brand, "GET", "/api/v1/payments/orders"));
    await check("GET", "/api/v1/payouts", await as(inf, "GET", "/api/v1/payouts"));
    const boss = await admin();
    await check("GET", "/api/v1/debug/conversations/:id", await as(boss, "GET", `/api/v1/debug/conversations/${conversationId}`));
    await check("GET", "/api/v1/debug/flow/:id", await as(boss, "GET", `/api/v1/debug/flow/${conversationId}`));
  });

  it("streams and gifts: create, list, go live, segments, ticket, end, analytics, replay, gift catalog, subscriptions", async () => {
    await seedGiftCatalog();
    const creator = await createUser({ roles: ["creator"] });
    const created = await as(creator, "POST", "/api/v1/streams", { title: "Docs live", category: "talk" });
    const stream = await check("POST", "/api/v1/streams", created);
    assert.ok(stream.settings, "the creator sees the settings");
    await check("GET", "/api/v1/streams/:id", await as(user, "GET", `/api/v1/streams/${stream.id}`));
    await goLive(creator, stream.id);
    await check("GET", "/api/v1/streams", await as(user, "GET", "/api/v1/streams"));
    await check("POST", "/api/v1/streams/:id/segments", await as(creator, "POST", `/api/v1/streams/${stream.id}/segments`, { media_url: "https://cdn.example/a.mp4", duration_s: 30, title: "Intro" }));
    await check("POST", "/api/v1/streams/:id/segments/next", await as(creator, "POST", `/api/v1/streams/${stream.id}/segments/next`, {}));
    const ticketed = await createStream(creator, { access: "ticketed", ticket_price: 10 });
    await as(user, "GET", "/api/v1/wallet"); // settles the welcome tokens the ticket is paid with
    await check("POST", "/api/v1/streams/:id/tickets", await as(user, "POST", `/api/v1/streams/${ticketed}/tickets`, {}));
    await check("POST", "/api/v1/streams/:id/end", await as(creator, "POST", `/api/v1/streams/${stream.id}/end`, {}));
    await check("GET", "/api/v1/streams/:id/analytics", await as(creator, "GET", `/api/v1/streams/${stream.id}/analytics`));
    await check("GET", "/api/v1/streams/:id/replay", await as(user, "GET", `/api/v1/streams/${stream.id}/replay`));
    const catalog = await check("GET", "/api/v1/gifts", await as(user, "GET", "/api/v1/gifts"));
    assert.ok(catalog.items.length > 0);
    const boss = await admin();
    await check("GET", "/api/v1/admin/streams/:id/gifts", await as(boss, "GET", `/api/v1/admin/streams/${stream.id}/gifts`));
    await grantTokens(user, 300);
    await check("POST", "/api/v1/creator-subscriptions", await as(user, "POST", "/api/v1/creator-subscriptions", { creator_id: creator.id }));
    await check("GET", "/api/v1/creator-subscriptions", await as(user, "GET", "/api/v1/creator-subscriptions"));
    await check("DELETE", "/api/v1/creator-subscriptions/:creator_id", await as(user, "DELETE", `/api/v1/creator-subscriptions/${creator.id}`));
  });

  it("health and the document itself", async () => {
    await check("GET", "/health", await api("GET", "/health"));
    await check("GET", "/health/ready", await api("GET", "/health/ready"));
    await check("GET", "/api/v1/openapi.json", await api("GET", "/api/v1/openapi.json"));
  });
});
