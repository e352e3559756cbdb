import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { projectRoot } from "../../src/web/build";
import { baseUrl } from "../support/server";
import { createUser, FACTORY_PASSWORD, type TestUser } from "../support/factories";
import { at, follow } from "../support/stories";
import { api } from "../support/http";
import { PNG } from "pngjs";
import { pictureVariety, signIn, useBrowser } from "./browser.support";

/**
 * The browser client in real headless Chromium, as two people use it: Alice signs up and posts a
 * poll story; Bob, signed in and looking at his tray, sees it appear without reloading, opens it
 * and votes; Alice's dashboard then shows his view and his vote. Ends with a screenshot that must
 * not be blank (kept in dist/test-artifacts/ to look at).
 */
describe("browser client (Chromium)", function () {
  this.timeout(60_000);
  const browser = useBrowser();

  /** A page in its own browser context (own storage: one signed-in user each); page errors fail the test. */
  async function openAs(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser().newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${baseUrl}/#/signin`);
    return { page, errors };
  }

  const signInAs = (page: Page, user: TestUser, password = FACTORY_PASSWORD) => signIn(page, user.username, password);

  it("serves the client at /", async () => {
    const res = await fetch(`${baseUrl}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<script src="\/app\.js"><\/script>/);
    assert.equal((await fetch(`${baseUrl}/app.js`)).status, 200);
    assert.equal((await api("GET", "/api/v1/stories/feed")).status, 401, "the API behind it is untouched");
  });

  it("a poll story reaches a follower live, takes his vote, and the author's dashboard shows it", async () => {
    const alice = await openAs();
    const aliceName = `alice_${Date.now() % 100000}`;
    const signup = alice.page.getByTestId("signup-form");
    await signup.getByLabel("Username").fill(aliceName);
    await signup.getByLabel("Password").fill("a long enough password");
    await signup.getByRole("button", { name: "Sign up" }).click();
    await alice.page.getByTestId("signed-in-as").filter({ hasText: `@${aliceName}` }).waitFor();
    const aliceId = await alice.page.evaluate(() => JSON.parse((globalThis as any).localStorage.getItem("limelight.session")).user.id as string);

    const bobUser = await createUser();
    assert.equal((await api("POST", `/api/v1/users/${aliceId}/follow`, { token: bobUser.token })).status, 204);
    const bob = await openAs();
    await signInAs(bob.page, bobUser);
    await bob.page.getByTestId("tray-empty").waitFor();
    await bob.page.locator('[data-testid="tray"][data-live="on"]').waitFor();
    await bob.page.evaluate(() => ((globalThis as { sameDocument?: boolean }).sameDocument = true));

    await alice.page.getByRole("link", { name: "Post" }).click();
    const post = alice.page.getByTestId("post-form");
    await post.getByLabel("Text").fill("Friday night plans?");
    await post.getByLabel("Question").fill("Where do we go?");
    await post.locator('input[name="poll_option_0"]').fill("Cinema");
    await post.locator('input[name="poll_option_1"]').fill("Karaoke");
    await post.getByRole("button", { name: "Post story" }).click();
    await alice.page.getByTestId("story-insights").getByTestId("story-viewers").waitFor();

    // Bob's tray shows Alice's reel without a reload
    const reel = bob.page.getByTestId(`reel-${aliceName}`);
    await reel.waitFor({ timeout: 5000 });
    assert.equal(await bob.page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument), true, "the page was not reloaded");
    await reel.click();
    const sticker = bob.page.getByTestId("sticker-0");
    await sticker.getByText("Where do we go?").waitFor();
    await sticker.getByTestId("answer-0-1").click();
    await sticker.getByTestId("total-0").filter({ hasText: "1 vote" }).waitFor();
    assert.match(await sticker.getByTestId("option-0-1").innerText(), /Karaoke ✓ your answer\s*1 · 100%/);

    // Alice's dashboard (already open) follows her story room: the view and the vote arrive
    const insights = alice.page.getByTestId("story-insights");
    await insights.getByTestId("story-viewers").filter({ hasText: /^1\s*viewers$/ }).waitFor({ timeout: 5000 });
    await insights.getByTestId("story-interactions").filter({ hasText: /^1\s*interactions$/ }).waitFor();
    assert.match(await insights.getByTestId("results-sticker_0_poll").innerText(), /1 vote[\s\S]*Cinema: 0 · Karaoke: 1/);
    // the range figures refresh every 15 s on their own; "Show" reloads them now
    await alice.page.getByRole("button", { name: "Show" }).click();
    await alice.page.getByTestId("range-insights").getByTestId("range-unique").filter({ hasText: /^1\s*unique views$/ }).waitFor();

    const shot = await alice.page.screenshot({ fullPage: true });
    const dir = path.join(projectRoot(), "dist", "test-artifacts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "web-dashboard.png"), shot);
    writeFileSync(path.join(dir, "web-reel.png"), await bob.page.screenshot());
    const variety = pictureVariety(shot);
    assert.ok(variety.stddev > 10 && variety.colours > 20, `the screenshot is not blank: ${JSON.stringify(variety)}`);
    assert.deepEqual([...alice.errors, ...bob.errors], [], "no script errors in either page");
  });

  it("answers quiz and slider stickers and then shows their results; a wrong password is refused", async () => {
    const [author, viewer] = await Promise.all([createUser(), createUser()]);
    await follow(viewer, author);
    const quiz = { sticker_type: "quiz", ...at, quiz: { question: "Capital of France?", options: [{ text: "London" }, { text: "Paris" }], correct_answer_index: 1 } };
    const slider = { sticker_type: "slider", ...at, slider: { question: "How hyped?", emoji: "🔥" } };
    const res = await api("POST", "/api/v1/stories", { token: author.token, body: { story_type: "text", text_content: "Quiz time", stickers: [quiz, slider] } });
    assert.equal(res.status, 201, JSON.stringify(res.body));

    const { page, errors } = await openAs();
    await signInAs(page, viewer, "not the password");
    await page.getByRole("alert").filter({ hasText: "invalid_credentials" }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).localStorage.getItem("limelight.session")), null, "no session kept");
    await signInAs(page, viewer);
    await page.getByTestId(`reel-${author.username}`).click();

    const quizEl = page.getByTestId("sticker-0");
    await quizEl.getByTestId("answer-0-0").click();
    await quizEl.getByTestId("total-0").filter({ hasText: "1 answer" }).waitFor();
    assert.match(await quizEl.getByTestId("option-0-0").innerText(), /London ✓ your answer\s*1 · 100%/);
    assert.match(await quizEl.getByTestId("option-0-1").innerText(), /Paris \(correct\)\s*0 · 0%/, "the answer is shown once answered");

    const sliderEl = page.getByTestId("sticker-1");
    await sliderEl.getByTestId("slider-1").fill("70");
    await sliderEl.getByRole("button", { name: "Send" }).click();
    await sliderEl.getByTestId("slider-result-1").filter({ hasText: "average 70 · 1 answer · you: 70" }).waitFor();

    const stored = (await api("GET", `/api/v1/stories/${res.body.id}`, { token: author.token })).body;
    assert.deepEqual([stored.stickers[0].results.total_answers, stored.stickers[1].results.average], [1, 70], "the answers reached the server");
    assert.deepEqual(errors, []);
  });

  it("posts a picture file: uploaded through the media API when the server has it, else the form says to give a URL", async () => {
    const author = await createUser();
    const doc = (await api("GET", "/api/v1/openapi.json")).body;
    const hasMediaApi = Boolean(doc.paths["/api/v1/media"]?.post);
    const png = new PNG({ width: 64, height: 64 });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([(i / 4) % 64 * 4, 120, 200, 255], i);
    const { page, errors } = await openAs();
    await signInAs(page, author);
    await page.getByRole("link", { name: "Post" }).click();
    const post = page.getByTestId("post-form");
    await post.getByLabel("Text").fill("A picture");
    await post.locator('input[name="picture"]').setInputFiles({ name: "gradient.png", mimeType: "image/png", buffer: PNG.sync.write(png) });
    await post.getByRole("button", { name: "Post story" }).click();
    if (hasMediaApi) {
      await page.getByTestId("story-insights").getByTestId("story-viewers").waitFor();
      const [story] = (await api("GET", `/api/v1/stories/user/${author.id}`, { token: author.token })).body.items;
      assert.equal(story.story_type, "image");
      assert.match(story.media_url, /^https?:\/\//, "the story shows the uploaded file");
    } else {
      await post.getByRole("alert").filter({ hasText: "give a picture URL instead" }).waitFor();
      assert.deepEqual((await api("GET", `/api/v1/stories/user/${author.id}`, { token: author.token })).body.items, [], "no story without its picture");
    }
    assert.deepEqual(errors, []);
  });
});
