/**
 * Time to interactive of /alerts (scripts/bench-web; never part of the tests): RUNS cold loads,
 * each in a new browser context (empty cache and storage), against the `mozdef dev` at
 * MOZDEF_BENCH_URL. For each load, from navigation start (performance.now() = 0):
 *
 * - ready: the table's first row is visible and the charts are drawn;
 * - interactive: ready, and no long task (PerformanceObserver "longtask", over 50 ms) for 500 ms
 *   after it: the end of the last long task before that quiet window, or ready if later.
 *
 * Prints each load and the medians; writes them to ../target/bench-web/tti.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "vitest";
import { CHROMIUM_ARGS, launchBrowser, VIEWPORT } from "./harness";
import { REPO_DIR } from "./servers";

interface Load {
  ready: number;
  interactive: number;
  longTasks: number;
  longestTask: number;
  firstContentfulPaint: number | null;
}

declare global {
  interface Window {
    __bench?: { ready: number | null; longTasks: { start: number; end: number }[] };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

test("time to interactive of /alerts", { timeout: 600_000 }, async () => {
  const base = process.env.MOZDEF_BENCH_URL;
  if (!base) throw new Error("MOZDEF_BENCH_URL is not set: run scripts/bench-web");
  const runs = Number(process.env.BENCH_RUNS ?? "5");
  const browser = await launchBrowser();
  const loads: Load[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      await context.addInitScript(() => {
        const bench: NonNullable<Window["__bench"]> = { ready: null, longTasks: [] };
        window.__bench = bench;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, end: entry.startTime + entry.duration });
        }).observe({ type: "longtask", buffered: true });
        const check = () => {
          if (bench.ready !== null) return;
          const row = document.querySelector("table.alerts-table tbody tr");
          const charts = document.querySelector("[aria-label='Alert charts'] svg");
          if (row && charts && row.getBoundingClientRect().height > 0) {
            bench.ready = performance.now();
            observer.disconnect();
          }
        };
        const observer = new MutationObserver(check);
        document.addEventListener("DOMContentLoaded", () => {
          observer.observe(document.body, { childList: true, subtree: true, attributes: true });
          check();
        });
      });
      const page = await context.newPage();
      await page.goto(new URL("/alerts", base).toString(), { waitUntil: "commit" });
      await page.waitForFunction(() => window.__bench?.ready != null, undefined, { timeout: 60_000, polling: 50 });
      // Quiet: 500 ms without a long task after ready (and after the last long task).
      const load = await page.waitForFunction(
        () => {
          const bench = window.__bench!;
          const ready = bench.ready!;
          const lastEnd = Math.max(ready, ...bench.longTasks.map((t) => t.end));
          if (performance.now() - lastEnd < 500) return null;
          const durations = bench.longTasks.map((t) => t.end - t.start);
          const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
          return {
            ready,
            interactive: lastEnd,
            longTasks: durations.length,
            longestTask: durations.length ? Math.max(...durations) : 0,
            firstContentfulPaint: fcp,
          };
        },
        undefined,
        { timeout: 60_000, polling: 100 },
      );
      const value = (await load.jsonValue()) as Load;
      loads.push(value);
      console.log(
        `load ${i + 1}: interactive ${value.interactive.toFixed(0)} ms (first row and charts ${value.ready.toFixed(0)} ms, first paint ${
          value.firstContentfulPaint?.toFixed(0) ?? "?"
        } ms, ${value.longTasks} long tasks, longest ${value.longestTask.toFixed(0)} ms)`,
      );
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const summary = {
    url: `${base}/alerts`,
    runs,
    chromium: CHROMIUM_ARGS,
    medianInteractiveMs: Math.round(median(loads.map((l) => l.interactive))),
    medianReadyMs: Math.round(median(loads.map((l) => l.ready))),
    loads,
  };
  console.log(
    `/alerts time to interactive: median ${summary.medianInteractiveMs} ms of ${runs} cold loads (first row and charts: median ${summary.medianReadyMs} ms)`,
  );
  const out = path.join(REPO_DIR, "target", "bench-web");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "tti.json"), `${JSON.stringify(summary, null, 2)}\n`);
});
