import type { Room } from "@colyseus/sdk";
import { api, ApiError } from "../api";
import { h, notice, replace } from "../dom";
import type { RoomSet } from "../realtime";
import { currentSession } from "../session";
import { go, registerListPage } from "../shell";

/**
 * A minimal live-stream screen (README "Live streams"): the streams live now (GET /streams), going
 * live for a creator (POST /streams, then /go-live), and one stream's `live` room — title,
 * viewerCount and chat from the room state, chat lines sent with `room.request("chat")`. Gifts,
 * polls and moderation are the live issue's to add here.
 */
interface Stream {
  id: string;
  title: string;
  category: string;
  creator_id: string;
}
interface ChatLine {
  seq: number;
  username: string;
  text: string;
  role: string;
}

function streamList(root: HTMLElement): void {
  const list = h("ul", { class: "streams", "data-testid": "live-streams" });
  const status = h("div", { class: "status" });
  const title = h("input", { name: "title", maxLength: 120, required: true, placeholder: "Stream title" });
  const category = h("input", { name: "category", maxLength: 40, required: true, value: "chat" });
  const form = h("form", { class: "card row", "data-testid": "go-live-form" }, h("label", {}, "Title", title), h("label", {}, "Category", category), h("button", { type: "submit" }, "Go live"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const stream = await api<Stream>("POST", "/streams", { title: title.value, category: category.value, access: "public" });
      await api("POST", `/streams/${stream.id}/go-live`, {});
      go(`/live?stream=${stream.id}`);
    } catch (err) {
      replace(status, notice(err instanceof ApiError ? `${err.message} (${err.code})` : String(err), "error"));
    }
  });
  const isCreator = currentSession()?.user.roles.includes("creator");
  root.append(h("h2", {}, "Live now"), list, isCreator ? form : h("p", { class: "muted" }, "Creators can go live from here."), status);
  api<{ items: Stream[] }>("GET", "/streams?status=live").then(
    ({ items }) =>
      replace(list, items.length ? items.map((s) => h("li", {}, h("a", { href: `#/live?stream=${s.id}`, "data-testid": `stream-${s.id}` }, s.title), h("span", { class: "muted" }, ` · ${s.category}`))) : h("li", { class: "muted" }, "Nobody is live right now.")),
    (err: Error) => replace(status, notice(err.message, "error")),
  );
}

function watch(root: HTMLElement, streamId: string, rooms: RoomSet): void {
  const head = h("header", { class: "viewer-head" }, "Joining…");
  const chat = h("ol", { class: "chat", "data-testid": "live-chat" });
  const status = h("div", { class: "status" });
  const input = h("input", { name: "chat", maxLength: 300, placeholder: "Say something", autocomplete: "off" });
  const form = h("form", { class: "row" }, input, h("button", { type: "submit" }, "Send"));
  root.append(h("section", { class: "live card" }, head, chat, form, status));
  let room: Room<any> | undefined;
  const render = (s: any) => {
    replace(head, h("strong", {}, s.title ?? ""), h("span", { class: "muted" }, ` · ${s.status}`), h("span", { class: "spacer" }), h("span", { "data-testid": "viewer-count" }, `${s.viewerCount ?? 0} watching`));
    replace(chat, ((s.chat ?? []) as ChatLine[]).map((l) => h("li", { class: l.role }, h("strong", {}, `@${l.username} `), l.text)));
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!room || !input.value.trim()) return;
    try {
      await room.request("chat", { text: input.value.trim() });
      input.value = "";
      replace(status);
    } catch (err) {
      replace(status, notice((err as Error).message, "error"));
    }
  });
  void rooms
    .draw("live", { streamId }, { render, onError: (message) => replace(status, notice(message, "error")), quiet: ["notification", "command", "overlay", "banned"] })
    .then((joined) => (room = joined));
}

registerListPage({ path: "/live", title: "Live", param: "stream", list: streamList, detail: watch });
