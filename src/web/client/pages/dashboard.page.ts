import type { Room } from "@colyseus/sdk";
import { api } from "../api";
import { barChart, doughnutChart, hoursSeries, type ChartCard } from "../charts";
import { h, notice, replace } from "../dom";
import { RoomSet } from "../realtime";
import { currentSession } from "../session";
import { registerPage } from "../shell";
import { plural } from "./stickers";
import { throttled } from "../throttle";

/**
 * The creator dashboard: the insights the API computes (README "Viewers and insights") as cards
 * and charts — over a date range (GET /viewers/user/insights) and for one story
 * (GET /viewers/story/{id}/insights). It sits in the creator's own `story` room, so each view or
 * answer (the room state changes) reloads the figures within a moment.
 */
type Results = { sticker_type: string; total_votes?: number; total_answers?: number; response_count?: number; average?: number | null; options?: { text: string; votes: number }[] };

/** The figures shown as cards, as [API field, label, test id?]; a `%` field is shown with a percent sign. */
type StatRow = readonly [field: string, label: string, testId?: string];
const RANGE_STATS: StatRow[] = [
  ["story_count", "stories", "range-stories"],
  ["total_views", "views", "range-views"],
  ["unique_views", "unique views", "range-unique"],
  ["distinct_viewers", "people reached"],
  ["average_reach_percentage", "avg reach"],
  ["total_interactions", "interactions", "range-interactions"],
  ["engagement_score", "engagement"],
  ["follower_count", "followers"],
];
const STORY_STATS: StatRow[] = [
  ["unique_viewers", "viewers", "story-viewers"],
  ["total_views", "views", "story-views"],
  ["reach_percentage", "reach", "story-reach"],
  ["total_interactions", "interactions", "story-interactions"],
  ["replies", "replies"],
  ["reactions", "reactions"],
  ["engagement_score", "engagement"],
];

/** The parts of the insights answers drawn as charts; the rest are the cards above (README "Viewers and insights"). */
type Figures = Record<string, number>;
type StoryInsights = Figures & { views_by_hour: Figures; sticker_results: Record<string, Results> };
type TopStory = { story_id: string; created_at: string; unique_viewers: number; reach_percentage: number; total_interactions: number };
type UserInsights = Figures & { views_by_hour: Figures; interactions_by_sticker_type: Figures; top_stories: TopStory[] };

const DAY = 86_400_000;
/** A local calendar date for an <input type="date"> (the range is read back as local midnights). */
const dateInput = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
/** `sticker_0_poll` → "Sticker 1 (poll)". */
const stickerTitle = (key: string) => key.replace(/^sticker_(\d+)_(\w+)$/, (_, i: string, type: string) => `Sticker ${Number(i) + 1} (${type})`);
/** Live refresh at most this often: one story's figures (1 request), the range's (3 requests); within the API's per-user limit. */
const STORY_REFRESH_MS = 2_000;
const RANGE_REFRESH_MS = 15_000;

function stat(label: string, value: string | number, testId?: string): HTMLElement {
  return h("div", { class: "stat", "data-testid": testId }, h("span", { class: "value" }, String(value)), h("span", { class: "label" }, label));
}

function stats(figures: Figures, rows: StatRow[]): HTMLElement {
  return h("div", { class: "stats" }, rows.map(([field, label, testId]) => stat(label, `${figures[field] ?? 0}${field.endsWith("percentage") ? "%" : ""}`, testId)));
}

class Dashboard {
  private readonly rooms = new RoomSet();
  private charts: ChartCard[] = [];
  private readonly from = h("input", { type: "date", value: dateInput(new Date(Date.now() - 6 * DAY)), "data-testid": "range-from" });
  private readonly to = h("input", { type: "date", value: dateInput(new Date()), "data-testid": "range-to" });
  private readonly status = h("div", { class: "status" });
  private readonly range = h("section", { class: "range-insights", "data-testid": "range-insights" });
  private readonly picker = h("select", { "data-testid": "story-picker" });
  private readonly story = h("section", { class: "story-insights", "data-testid": "story-insights" });
  private readonly storyRefresh = throttled(() => this.loadStory(), STORY_REFRESH_MS);
  private readonly rangeRefresh = throttled(() => Promise.all([this.loadRange(), this.loadPicker()]), RANGE_REFRESH_MS);

  constructor(
    root: HTMLElement,
    private selected: string | null,
  ) {
    const apply = h("button", { onclick: () => this.rangeRefresh.now() }, "Show");
    this.picker.addEventListener("change", () => ((this.selected = this.picker.value), void this.loadStory()));
    root.append(
      h("h2", {}, "Creator dashboard"),
      h("div", { class: "row toolbar" }, h("label", {}, "From", this.from), h("label", {}, "To (inclusive)", this.to), apply, this.status),
      this.range,
      h("h3", {}, "One story"),
      h("label", { class: "picker" }, "Story", this.picker),
      this.story,
    );
    void this.reload();
    // a view or an answer changes the creator's story room state: the figures follow
    this.rooms
      .join("story", { authorId: currentSession()!.user.id })
      .then((room: Room<any>) => room.onStateChange(() => (this.storyRefresh.poke(), this.rangeRefresh.poke())))
      .catch((err: unknown) => replace(this.status, notice(`Live refresh unavailable: ${(err as Error).message}`, "error")));
  }

  destroy(): void {
    this.storyRefresh.cancel();
    this.rangeRefresh.cancel();
    this.rooms.leaveAll();
    this.disposeCharts();
  }

  private disposeCharts(scope?: HTMLElement): void {
    const keep = scope ? this.charts.filter((c) => !scope.contains(c.el)) : [];
    for (const c of this.charts) if (!keep.includes(c)) c.dispose();
    this.charts = keep;
  }

  private chart(c: ChartCard): HTMLElement {
    this.charts.push(c);
    return c.el;
  }

  private async reload(): Promise<void> {
    await Promise.all([this.loadRange(), this.loadPicker()]);
    await this.loadStory();
  }

  private async loadRange(): Promise<void> {
    const from = new Date(`${this.from.value}T00:00:00`);
    const to = new Date(new Date(`${this.to.value}T00:00:00`).getTime() + DAY);
    let ins: UserInsights;
    try {
      ins = await api<UserInsights>("GET", `/viewers/user/insights?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
    } catch (err) {
      return replace(this.range, notice((err as Error).message, "error"));
    }
    this.disposeCharts(this.range);
    const hours = hoursSeries(ins.views_by_hour);
    const types = Object.entries(ins.interactions_by_sticker_type);
    const top = ins.top_stories;
    const topLabels = top.map((s, i) => `#${i + 1} ${new Date(s.created_at).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })}`);
    replace(
      this.range,
      stats(ins, RANGE_STATS),
      h(
        "div",
        { class: "charts" },
        this.chart(barChart("Viewers by hour (UTC)", "chart-range-hours", hours.labels, [{ label: "viewers", data: hours.data }])),
        this.chart(barChart("Top stories", "chart-top-stories", topLabels, [
          { label: "unique viewers", data: top.map((s) => s.unique_viewers) },
          { label: "interactions", data: top.map((s) => s.total_interactions) },
        ])),
        this.chart(barChart("Reach of the top stories (% of followers)", "chart-reach", topLabels, [{ label: "reach %", data: top.map((s) => s.reach_percentage) }])),
        types.length > 0 && this.chart(doughnutChart("Answers by sticker type", "chart-sticker-types", types.map(([t]) => t), types.map(([, n]) => n))),
      ),
    );
  }

  /** The creator's live stories to pick from (newest first); the newest is the default. */
  private async loadPicker(): Promise<void> {
    const me = currentSession()!.user.id;
    const { items } = await api<{ items: { id: string; text_content: string | null; caption: string | null; created_at: string }[] }>("GET", `/stories/user/${me}`).catch(() => ({ items: [] }));
    const newest = [...items].reverse();
    this.selected ??= newest[0]?.id ?? null;
    replace(
      this.picker,
      newest.map((s) => h("option", { value: s.id, selected: s.id === this.selected }, `${new Date(s.created_at).toLocaleTimeString()} — ${(s.text_content ?? s.caption ?? "story").slice(0, 40)}`)),
    );
  }

  private async loadStory(): Promise<void> {
    if (!this.selected) return replace(this.story, h("p", { class: "muted" }, "No live story yet: post one, its figures appear here."));
    let ins: StoryInsights;
    try {
      ins = await api<StoryInsights>("GET", `/viewers/story/${this.selected}/insights`);
    } catch (err) {
      return replace(this.story, notice((err as Error).message, "error"));
    }
    this.disposeCharts(this.story);
    const hours = hoursSeries(ins.views_by_hour);
    replace(
      this.story,
      stats(ins, STORY_STATS),
      h(
        "div",
        { class: "charts" },
        this.chart(barChart("Viewers by hour (UTC)", "chart-story-hours", hours.labels, [{ label: "viewers", data: hours.data }])),
        Object.entries(ins.sticker_results).map(([key, r]) => this.resultsChart(key, r)),
      ),
    );
  }

  private resultsChart(key: string, r: Results): HTMLElement | null {
    if (r.options) {
      const total = r.total_votes ?? r.total_answers ?? 0;
      return h(
        "div",
        { "data-testid": `results-${key}` },
        this.chart(barChart(`${stickerTitle(key)} — ${plural(total, r.sticker_type === "quiz" ? "answer" : "vote")}`, `chart-${key}`, r.options.map((o) => o.text), [{ label: "votes", data: r.options.map((o) => o.votes) }])),
        h("p", { class: "muted" }, r.options.map((o) => `${o.text}: ${o.votes}`).join(" · ")),
      );
    }
    if (r.sticker_type === "slider") return stat(`${stickerTitle(key)} — ${plural(r.response_count ?? 0, "answer")}`, r.average ?? "–", `results-${key}`);
    return null;
  }
}

registerPage({
  path: "/dashboard",
  title: "Dashboard",
  render(root, params) {
    if (!currentSession()) return;
    const page = new Dashboard(root, params.get("story"));
    return () => page.destroy();
  },
});
