import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { baseUrl } from "../support/server";
import { createUser, FACTORY_PASSWORD, type TestUser } from "../support/factories";
import { signIn, useBrowser } from "./browser.support";
import { api } from "../support/http";
import { seedSampleBook } from "../../src/fiction/seed";
import { createReader } from "../fiction/fiction.fixtures";

/**
 * The minimal live and fiction pages in Chromium: a creator goes live and a viewer chats; a
 * reader starts a chapter and plays through its first choice.
 */
describe("browser client: live and fiction pages (Chromium)", function () {
  this.timeout(60_000);
  const browser = useBrowser();

  async function signedIn(user: TestUser, errors: string[]): Promise<Page> {
    const page = await (await browser().newContext()).newPage();
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${baseUrl}/#/signin`);
    await signIn(page, user.username, FACTORY_PASSWORD);
    await page.getByTestId("signed-in-as").waitFor();
    return page;
  }

  it("a creator goes live, a viewer joins and chats, and the creator sees the line and the audience", async () => {
    const errors: string[] = [];
    const [creator, viewer] = await Promise.all([createUser({ roles: ["creator"] }), createUser()]);
    const host = await signedIn(creator, errors);
    await host.getByRole("link", { name: "Live" }).click();
    const form = host.getByTestId("go-live-form");
    await form.getByLabel("Title").fill("Late night coding");
    await form.getByRole("button", { name: "Go live" }).click();
    await host.getByText("Late night coding").waitFor();
    await host.getByTestId("viewer-count").filter({ hasText: "1 watching" }).waitFor();

    const guest = await signedIn(viewer, errors);
    await guest.getByRole("link", { name: "Live" }).click();
    await guest.getByTestId("live-streams").getByRole("link", { name: "Late night coding" }).click();
    await guest.getByTestId("viewer-count").waitFor();
    await guest.getByPlaceholder("Say something").fill("hello from the audience");
    await guest.getByRole("button", { name: "Send" }).click();

    await host.getByTestId("live-chat").getByText("hello from the audience").waitFor({ timeout: 5000 });
    assert.match(await host.getByTestId("live-chat").innerText(), new RegExp(`@${viewer.username}\\s+hello from the audience`));
    await host.getByTestId("viewer-count").filter({ hasText: "2 watching" }).waitFor({ timeout: 5000 });
    assert.deepEqual(errors, []);
  });

  it("a reader starts a chapter for a key, reads on and makes a choice, in the playthrough room", async () => {
    const errors: string[] = [];
    const { book_id } = await seedSampleBook();
    const reader = await createReader();
    const page = await signedIn(reader, errors);
    await page.getByRole("link", { name: "Fiction" }).click();
    await page.getByTestId("books").getByRole("link").first().click();
    await page.getByRole("button", { name: /Start chapter 1/ }).click();
    const line = page.getByTestId("line");
    await line.waitFor();
    await page.getByTestId("wallet").filter({ hasText: "🔑 4/" }).waitFor();
    // read on until the first choice, then take the first affordable option
    for (let i = 0; i < 50 && (await page.locator("button.choice:not([disabled])").count()) === 0; i++) {
      const before = await line.innerText();
      await page.getByRole("button", { name: "Continue ›" }).click();
      await page.waitForFunction((text) => (globalThis as any).document.querySelector('[data-testid="line"]')?.textContent !== text, before);
    }
    const stepBefore = (await api("GET", `/api/v1/play/progress/${book_id}`, { token: reader.token })).body.step;
    await page.locator("button.choice:not([disabled])").first().click();
    let progress: any;
    for (let i = 0; i < 50; i++) {
      progress = (await api("GET", `/api/v1/play/progress/${book_id}`, { token: reader.token })).body;
      if (progress.step > stepBefore) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(progress.step > stepBefore, `the choice was committed: ${JSON.stringify({ stepBefore, step: progress.step })}`);
    assert.equal(progress.chapter, 1);
    assert.deepEqual(errors, []);
  });
});
