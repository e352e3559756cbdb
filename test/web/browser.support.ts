import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { chromium, type Browser, type Page } from "playwright-core";
import { buildWebClient } from "../../src/web/build";
import { resetState, testServer } from "../support/server";

/**
 * Debian's Chromium driven by playwright-core (no browser download). In CI a missing binary is a
 * failure (`.ci/run` installs it); elsewhere the browser tests skip, saying why.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The flags this machine needs: without the background-networking ones Chromium's own connections are refused. */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `${CHROMIUM} not found (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`Chromium is required in CI: ${why}`);
  return why;
}

/** A fresh browser; playwright gives each launch a new, empty profile in a temp directory. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, artifactsDir: mkdtempSync(path.join(os.tmpdir(), "limelight-chromium-")) });
}

/**
 * How much a screenshot varies: the luminance standard deviation and the number of distinct
 * colours (quantised). A blank or single-colour page has ~0 and 1; a rendered dashboard has many.
 */
export function pictureVariety(png: Buffer): { stddev: number; colours: number; width: number; height: number } {
  const img = PNG.sync.read(png);
  let sum = 0;
  let sumSq = 0;
  const colours = new Set<number>();
  const n = img.width * img.height;
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += y;
    sumSq += y * y;
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  const mean = sum / n;
  return { stddev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), colours: colours.size, width: img.width, height: img.height };
}

/**
 * For a describe block: skip it (loudly) without Chromium outside CI, else build the client, boot
 * the server and launch one browser for the block; an empty database before each test.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  before(async function () {
    this.timeout(60_000);
    const missing = chromiumMissing();
    if (missing) {
      console.warn(`    ⚠ SKIPPING the browser tests: ${missing}`);
      return this.skip();
    }
    await Promise.all([testServer(), buildWebClient()]);
    browser = await launchChromium();
  });
  beforeEach(resetState);
  after(async () => browser?.close());
  return () => browser!;
}

/** Fill and send the sign-in form of the page (on `#/signin`). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.getByTestId("signin-form");
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
}
