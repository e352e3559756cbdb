import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip, type ChartConfiguration } from "chart.js";
import { h } from "./dom";

// only what the dashboard draws, so the bundle carries no other chart types
Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);

const PALETTE = ["#6c4bd8", "#e0577a", "#f2a541", "#2bb3a3", "#4a90d9", "#9b59b6", "#7f8c8d"];

/** A titled chart card; the returned element holds the canvas and is destroyed with `dispose`. */
export interface ChartCard {
  el: HTMLElement;
  dispose(): void;
}

function card(title: string, testId: string, config: ChartConfiguration): ChartCard {
  const canvas = h("canvas", { role: "img", "aria-label": title });
  const el = h("figure", { class: "chart", "data-testid": testId }, h("figcaption", {}, title), h("div", { class: "canvas-box" }, canvas));
  // no animation: a chart shows its figures at once (and a screenshot sees them)
  const chart = new Chart(canvas, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
  return { el, dispose: () => chart.destroy() };
}

export function barChart(title: string, testId: string, labels: string[], series: { label: string; data: number[] }[], opts: { max?: number } = {}): ChartCard {
  return card(title, testId, {
    type: "bar",
    data: { labels, datasets: series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: PALETTE[i % PALETTE.length] })) },
    options: { scales: { y: { beginAtZero: true, max: opts.max, ticks: { precision: 0 } } }, plugins: { legend: { display: series.length > 1 } } },
  });
}

export function doughnutChart(title: string, testId: string, labels: string[], data: number[]): ChartCard {
  return card(title, testId, {
    type: "doughnut",
    data: { labels, datasets: [{ data, backgroundColor: labels.map((_, i) => PALETTE[i % PALETTE.length]) }] },
    options: { plugins: { legend: { position: "right" } } },
  });
}

/** `views_by_hour` ({"10": 3}) as 24 bars, hour 0 to 23 (UTC, as the API counts). */
export function hoursSeries(byHour: Record<string, number>): { labels: string[]; data: number[] } {
  const labels = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, "0"));
  return { labels, data: labels.map((_, i) => byHour[String(i)] ?? 0) };
}
