import { defineConfig } from "vitest/config";

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
