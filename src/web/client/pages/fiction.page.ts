import type { Room } from "@colyseus/sdk";
import { publicApi } from "../api";
import { h, notice, replace } from "../dom";
import type { RoomSet } from "../realtime";
import { currentSession } from "../session";
import { registerListPage } from "../shell";

/**
 * A minimal fiction playthrough (README "Fiction"): the library (GET /books, public) and one
 * book's `playthrough` room — the current line, choices with their cost, keys and diamonds from
 * the room state; `start`, `advance` and `choose` sent as room requests. Replays, outfits and the
 * relationship panel are the fiction issue's to add here.
 */
interface Book {
  id: string;
  title: string;
  description: string;
  genre: string;
  chapter_count: number;
}

function library(root: HTMLElement): void {
  const list = h("ul", { class: "streams", "data-testid": "books" }, h("li", { class: "muted" }, "Loading…"));
  root.append(h("h2", {}, "Stories to play"), list);
  publicApi<{ items: Book[] }>("GET", "/books?limit=50").then(
    ({ items }) =>
      replace(list, items.length ? items.map((b) => h("li", {}, h("a", { href: `#/play?book=${b.id}` }, b.title), h("span", { class: "muted" }, ` · ${b.genre} · ${b.chapter_count} chapters`))) : h("li", { class: "muted" }, "No book is published yet (`npm run seed` adds a sample).")),
    (err: Error) => replace(list, notice(err.message, "error")),
  );
}

function play(root: HTMLElement, bookId: string, rooms: RoomSet): void {
  const stage = h("section", { class: "card play", "data-testid": "playthrough" }, "Joining…");
  const status = h("div", { class: "status" });
  root.append(stage, status);
  let room: Room<any> | undefined;
  const send = (type: string, payload: Record<string, unknown> = {}) =>
    room!.request(type, payload).then(
      () => replace(status),
      (err: Error) => replace(status, notice(err.message, "error")),
    );
  const render = (s: any) => {
    const wallet = h("p", { class: "muted", "data-testid": "wallet" }, `🔑 ${s.keys ?? 0}/${s.keyCap ?? 0} · 💎 ${s.diamonds ?? 0}`);
    if (s.mode === "none" || !s.chapter) {
      const next = Math.min((s.completedChapters?.length ?? 0) + 1, s.chapterCount || 1);
      return replace(stage, wallet, h("button", { onclick: () => void send("start", { chapter: next }) }, `Start chapter ${next} (1 key)`));
    }
    const line = s.current ?? {};
    const options = (s.options ?? []) as { id: string; text: string; cost: number; affordable: boolean }[];
    replace(
      stage,
      wallet,
      h("p", { class: "muted" }, `Chapter ${s.chapter} · ${s.sceneId}`),
      h("blockquote", { "data-testid": "line" }, line.character ? h("strong", {}, `${line.character}: `) : "", line.text ?? ""),
      s.prompt && h("p", {}, s.prompt),
      options.length
        ? h("div", { class: "choices" }, options.map((o) => h("button", { class: "choice", disabled: !o.affordable, onclick: () => void send("choose", { optionId: o.id, step: s.step }) }, o.text, o.cost ? ` (💎 ${o.cost})` : "")))
        : s.ended
          ? h("p", {}, "Chapter finished. ", h("button", { onclick: () => void send("start", { chapter: Math.min(s.chapter + 1, s.chapterCount) }) }, "Next chapter"))
          : h("button", { onclick: () => void send("advance") }, "Continue ›"),
    );
  };
  void rooms
    .draw("playthrough", { bookId, userId: currentSession()!.user.id }, { render, onError: (message) => replace(status, notice(message, "error")), quiet: ["notification"] })
    .then((joined) => (room = joined));
}

registerListPage({ path: "/play", title: "Fiction", param: "book", list: library, detail: play });
