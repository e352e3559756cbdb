import type { Room } from "@colyseus/sdk";
import { api, ApiError } from "../api";
import { h, notice, replace } from "../dom";
import { plain, RoomSet } from "../realtime";
import { currentSession } from "../session";
import { registerPage } from "../shell";
import { throttled } from "../throttle";
import { plural, renderSticker, type StickerAnswer, type StickerView } from "./stickers";

/**
 * The stories reel: the tray (GET /stories/feed) kept live by the `feed` room's `story_posted`,
 * and a viewer on the selected author's `story` room — stories, stickers and tallies straight from
 * the room state; views and answers sent as room messages (the same service as REST).
 */
interface FeedGroup {
  author_id: string;
  author: { username: string; display_name: string } | null;
  is_own: boolean;
  has_unseen: boolean;
  unseen_count: number;
  start_index: number;
  stories: { id: string; stickers: { my_interaction: { option_index?: number; value?: number } | null }[] }[];
}

interface StoryView {
  id: string;
  storyType: string;
  textContent: string;
  backgroundColor: string;
  backgroundGradient?: string[];
  mediaUrl: string;
  caption: string;
  createdAt: number;
  viewCount: number;
  reactionCount: number;
  stickers: StickerView[];
}

const ago = (ms: number) => {
  const min = Math.max(0, Math.round((Date.now() - ms) / 60000));
  return min < 1 ? "just now" : min < 60 ? `${min} min ago` : `${Math.round(min / 60)} h ago`;
};

function frameStyle(s: StoryView): Record<string, string> {
  if (s.mediaUrl) return { backgroundImage: `url("${encodeURI(s.mediaUrl)}")`, backgroundSize: "cover", backgroundPosition: "center" };
  if (s.backgroundGradient?.length) return { background: `linear-gradient(160deg, ${s.backgroundGradient.join(", ")})` };
  return { background: s.backgroundColor || "#3b2f63" };
}

class ReelPage {
  private readonly rooms = new RoomSet();
  private readonly tray = h("nav", { class: "tray", "data-testid": "tray" });
  private readonly viewer = h("section", { class: "viewer", "data-testid": "viewer" }, h("p", { class: "muted" }, "Pick a reel to watch."));
  private readonly status = h("div", { class: "status" });
  private groups: FeedGroup[] = [];
  private storyRoom: Room<any> | undefined;
  private authorId = "";
  private index = 0;
  /** my answers: story id → sticker index → answer (REST my_interaction, then the room's replies) */
  private readonly mine = new Map<string, Map<number, { optionIndex?: number; value?: number }>>();
  private readonly viewed = new Set<string>();
  private lastRendered = "";
  /** new stories reload the tray at most every 3 s (the API limits requests per user) */
  private readonly trayReload = throttled(() => this.loadTray(), 3_000);

  constructor(root: HTMLElement) {
    root.append(h("div", { class: "reel" }, this.tray, h("div", { class: "stage" }, this.status, this.viewer)));
    void this.loadTray();
    this.rooms
      .join("feed")
      .then((feed) => {
        this.tray.dataset.live = "on"; // the tray now follows new stories (the test waits for it too)
        feed.onMessage("story_posted", () => this.trayReload.poke());
        feed.onMessage("notification", (n: { type: string }) => this.flash(`New notification: ${n.type}`));
      })
      .catch((err: unknown) => this.flash(`Live updates unavailable: ${(err as Error).message}`, "error"));
  }

  destroy(): void {
    this.trayReload.cancel();
    this.rooms.leaveAll();
  }

  private flash(text: string, kind: "error" | "info" = "info"): void {
    replace(this.status, notice(text, kind));
  }

  private async loadTray(): Promise<void> {
    try {
      this.groups = (await api<{ groups: FeedGroup[] }>("GET", "/stories/feed?limit=50")).groups;
    } catch (err) {
      return this.flash((err as Error).message, "error");
    }
    for (const g of this.groups)
      for (const s of g.stories) {
        const answers = new Map(this.mine.get(s.id));
        s.stickers.forEach((st, i) => st.my_interaction && answers.set(i, { optionIndex: st.my_interaction.option_index, value: st.my_interaction.value }));
        this.mine.set(s.id, answers);
      }
    const items = this.groups.map((g) =>
      h(
        "button",
        { class: `reel-item ${g.has_unseen ? "unseen" : ""} ${g.author_id === this.authorId ? "active" : ""}`, "data-testid": `reel-${g.author?.username ?? g.author_id}`, onclick: () => void this.open(g) },
        h("span", { class: "avatar" }, (g.author?.display_name || g.author?.username || "?").slice(0, 1).toUpperCase()),
        h("span", {}, g.is_own ? "Your story" : `@${g.author?.username ?? "someone"}`),
        g.has_unseen && h("span", { class: "badge" }, String(g.unseen_count)),
      ),
    );
    replace(this.tray, h("h3", {}, "Stories ", h("span", { class: "live-dot", title: "updates live" }, "●")), items.length ? items : h("p", { class: "muted", "data-testid": "tray-empty" }, "Nobody you follow has a story right now. New ones appear here live."));
  }

  private async open(group: FeedGroup): Promise<void> {
    if (this.storyRoom) this.rooms.leave(this.storyRoom);
    this.storyRoom = undefined;
    this.authorId = group.author_id;
    this.index = group.start_index;
    this.lastRendered = "";
    replace(this.viewer, h("p", { class: "muted" }, "Joining…"));
    try {
      const room = await this.rooms.join("story", { authorId: group.author_id });
      this.storyRoom = room;
      room.onStateChange(() => this.render(group));
      room.onMessage("error", (e: { message: string }) => this.flash(e.message, "error"));
      room.onMessage("notification", () => undefined);
      this.render(group);
    } catch (err) {
      replace(this.viewer, notice((err as Error).message, "error"));
    }
    void this.loadTray();
  }

  private stories(): StoryView[] {
    const state = this.storyRoom ? plain(this.storyRoom) : {};
    return (Object.values(state.stories ?? {}) as StoryView[]).sort((a, b) => a.createdAt - b.createdAt);
  }

  private render(group: FeedGroup): void {
    const room = this.storyRoom;
    if (!room) return;
    const list = this.stories();
    this.index = Math.min(Math.max(0, this.index), Math.max(0, list.length - 1));
    const story = list[this.index];
    const watching = plain(room).watchingNow ?? 0;
    const key = JSON.stringify([story, watching, this.index, list.length, [...(this.mine.get(story?.id ?? "") ?? [])]]);
    if (key === this.lastRendered) return;
    this.lastRendered = key;
    if (!story) return replace(this.viewer, h("p", { class: "muted" }, "This reel has no live story any more."));
    if (!this.viewed.has(story.id) && !group.is_own) {
      this.viewed.add(story.id);
      room.request("view", { storyId: story.id }).catch((err: Error) => this.flash(err.message, "error"));
    }
    const isAuthor = group.is_own;
    const answers = this.mine.get(story.id) ?? new Map();
    replace(
      this.viewer,
      h(
        "header",
        { class: "viewer-head" },
        h("strong", {}, group.is_own ? "Your story" : `@${group.author?.username ?? ""}`),
        h("span", { class: "muted" }, ` · ${ago(story.createdAt)} · ${this.index + 1}/${list.length}`),
        h("span", { class: "spacer" }),
        h("span", { class: "muted", "data-testid": "watching" }, `${watching} watching · ${plural(story.viewCount, "viewer")}`),
        !group.is_own && h("button", { class: "link", onclick: (e: Event) => void this.follow(e.target as HTMLButtonElement) }, "Follow"),
      ),
      h(
        "article",
        { class: "frame", style: frameStyle(story), "data-testid": `story-${story.id}` },
        story.textContent && h("p", { class: "story-text" }, story.textContent),
        story.caption && h("p", { class: "caption" }, story.caption),
        story.stickers.map((s, i) => renderSticker(s, { index: i, isAuthor, mine: answers.get(i), answer: (idx, body) => void this.answer(story.id, idx, body) })),
      ),
      h(
        "footer",
        { class: "viewer-nav" },
        h("button", { disabled: this.index === 0, onclick: () => ((this.index -= 1), this.render(group)) }, "‹ Previous"),
        h("button", { disabled: this.index >= list.length - 1, onclick: () => ((this.index += 1), this.render(group)) }, "Next ›"),
      ),
    );
  }

  private async answer(storyId: string, stickerIndex: number, body: StickerAnswer): Promise<void> {
    const room = this.storyRoom;
    if (!room) return;
    try {
      await room.request("interact", { storyId, stickerIndex, ...body });
      const answers = this.mine.get(storyId) ?? new Map();
      answers.set(stickerIndex, body as { optionIndex?: number; value?: number });
      this.mine.set(storyId, answers);
      this.flash("Answer sent.");
      this.lastRendered = "";
      const group = this.groups.find((g) => g.author_id === this.authorId);
      if (group) this.render(group);
    } catch (err) {
      this.flash((err as Error).message, "error");
    }
  }

  private async follow(button: HTMLButtonElement): Promise<void> {
    try {
      await api("POST", `/users/${this.authorId}/follow`);
      button.textContent = "Following ✓";
      button.disabled = true;
    } catch (err) {
      this.flash(err instanceof ApiError ? err.message : String(err), "error");
    }
  }
}

registerPage({
  path: "/reel",
  title: "Stories",
  render(root) {
    if (!currentSession()) return;
    const page = new ReelPage(root);
    return () => page.destroy();
  },
});
