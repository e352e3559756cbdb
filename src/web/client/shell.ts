import { h, replace } from "./dom";
import { currentSession, onSessionChange, saveSession } from "./session";
import { api } from "./api";
import { RoomSet } from "./realtime";

/**
 * The shell: a nav bar and a hash router (`#/reel`, `#/dashboard`, …). A feature adds its screen
 * with `registerPage({ path, title, render })` (live streams, negotiation and fiction do, in their
 * own issues); `render` fills the page's element and returns what to undo when the user leaves.
 */
export interface Page {
  path: string;
  title: string;
  /** shown in the nav (false: reachable by link only) */
  nav?: boolean;
  /** the signed-out user may open it */
  public?: boolean;
  render(root: HTMLElement, params: URLSearchParams): void | (() => void);
}

const pages = new Map<string, Page>();
let cleanup: (() => void) | undefined;

export function registerPage(page: Page): void {
  pages.set(page.path, page);
}

/**
 * A signed-in page that lists things at `#/path` and shows one at `#/path?<param>=<id>`, with the
 * rooms it joins left when the user navigates away.
 */
export function registerListPage(page: { path: string; title: string; param: string; list(root: HTMLElement): void; detail(root: HTMLElement, id: string, rooms: RoomSet): void }): void {
  registerPage({
    path: page.path,
    title: page.title,
    render(root, params) {
      if (!currentSession()) return;
      const rooms = new RoomSet();
      const id = params.get(page.param);
      if (id) page.detail(root, id, rooms);
      else page.list(root);
      return () => rooms.leaveAll();
    },
  });
}

export function go(path: string): void {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

function parseHash(): { path: string; params: URLSearchParams } {
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  return { path: path || "/reel", params: new URLSearchParams(query) };
}

function renderNav(nav: HTMLElement, active: string): void {
  const session = currentSession();
  const links = [...pages.values()]
    .filter((p) => p.nav !== false && (session || p.public))
    .map((p) => h("a", { href: `#${p.path}`, class: p.path === active ? "active" : "" }, p.title));
  const who = session
    ? [h("span", { class: "who", "data-testid": "signed-in-as" }, `@${session.user.username}`), h("button", { class: "link", onclick: signOut }, "Sign out")]
    : [];
  replace(nav, h("strong", { class: "brand" }, "Limelight"), ...links, h("span", { class: "spacer" }), ...who);
}

async function signOut(): Promise<void> {
  const session = currentSession();
  if (session) await api("POST", "/auth/logout", { refresh_token: session.refresh_token }).catch(() => undefined);
  saveSession(null);
  go("/signin");
}

function route(): void {
  const { path, params } = parseHash();
  const session = currentSession();
  let page = pages.get(path) ?? pages.get("/reel")!;
  if (!session && !page.public) page = pages.get("/signin")!;
  cleanup?.();
  cleanup = undefined;
  renderNav(document.getElementById("nav")!, page.path);
  const main = document.getElementById("page")!;
  main.replaceChildren();
  main.dataset.page = page.path;
  document.title = `${page.title} · Limelight`;
  cleanup = page.render(main, params) ?? undefined;
}

export function startShell(): void {
  window.addEventListener("hashchange", route);
  onSessionChange(() => renderNav(document.getElementById("nav")!, parseHash().path));
  route();
}
