import { defineConfig } from "vitest/config";

// vitest 5 wants Node 22 and its error report calls Map.groupBy (Node 21+): on Node 20 (the CI's)
// a failing test would crash the report instead of printing it.
const map = Map as unknown as { groupBy?: <K, V>(items: Iterable<V>, key: (item: V, index: number) => K) => Map<K, V[]> };
map.groupBy ??= <K, V>(items: Iterable<V>, key: (item: V, index: number) => K) => {
  const groups = new Map<K, V[]>();
  let index = 0;
  for (const item of items) {
    const k = key(item, index++);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};

// The end-to-end tests (e2e/*.e2e.ts): Debian's Chromium against `mozdef dev` serving the built
// UI (dist/). e2e/setup.ts starts and seeds the servers once for the run; the files run one after
// another (they share those servers and one machine's two cores).
//
// With MOZDEF_BENCH_URL set (scripts/bench-web), it runs e2e/bench-tti.ts alone against that
// server instead: no servers of its own.
const bench = Boolean(process.env.MOZDEF_BENCH_URL);

export default defineConfig({
  test: bench
    ? {
        include: ["e2e/bench-tti.ts"],
        environment: "node",
        testTimeout: 600_000,
        reporters: ["verbose"],
      }
    : {
        include: ["e2e/**/*.e2e.ts"],
        environment: "node",
        globalSetup: ["e2e/setup.ts"],
        fileParallelism: false,
        testTimeout: 60_000,
        hookTimeout: 120_000,
        teardownTimeout: 30_000,
        reporters: ["verbose"],
      },
});
