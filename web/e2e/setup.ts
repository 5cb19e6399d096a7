/**
 * Vitest's global setup of the end-to-end run: starts, seeds and at the end stops
 *
 * - an open `mozdef dev` (no OIDC: everybody is an admin) serving the built UI, seeded with
 *   sample events, alerts, hostile data, an incident and an investigation;
 * - the test OIDC issuer and a second `mozdef dev` behind it (same UI), holding one alert.
 *
 * Every server listens on a free loopback port; their data lives in a temporary directory removed
 * at the end (kept, and named, when E2E_KEEP=1), their logs in ../target/web-e2e-logs/.
 *
 * Environment: MOZDEF_BIN (default ../target/debug/mozdef), OIDC_ISSUER_BIN (default
 * ../target/debug/examples/oidc_issuer), E2E_WEB_DIST (default ./dist).
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import type { E2eEnv } from "./harness";
import {
  BRUTEFORCE_IPS,
  call,
  REPO_DIR,
  removeDir,
  searchCount,
  seed,
  sendBruteforce,
  type Server,
  startIssuer,
  startMozdef,
  tempDir,
  until,
  WEB_DIR,
} from "./servers";

const CLIENT_ID = "mozdef-web";
const AUDIENCE = "mozdef-api";

function resolveFromWeb(value: string | undefined, fallback: string): string {
  return path.resolve(WEB_DIR, value && value !== "" ? value : fallback);
}

/** The OIDC server's data: one brute-force alert and an incident, seeded while the API is still open. */
async function seedLoginData(
  bin: string,
  dataDir: string,
  webDist: string,
  logDir: string,
): Promise<{ alertId: string; incidentId: string }> {
  const { server, url } = await startMozdef({ bin, dataDir, webDist, logDir, name: "mozdef-oidc-seed" });
  try {
    await sendBruteforce(url, BRUTEFORCE_IPS[0]);
    await until("seeding the OIDC server: the events becoming searchable", 30_000, async () =>
      (await searchCount(url, "details.program:sshd")).total >= 10 ? true : undefined,
    );
    const result = await call<{ runs: { alerts: { _id: string }[] }[] }>("POST", `${url}/api/alerts/run`, { names: ["bruteforce_ssh"] });
    const alertId = result.runs.flatMap((r) => r.alerts)[0]?._id;
    if (!alertId) throw new Error("seeding the OIDC server: no alert raised");
    const incident = await call<{ id: string }>("POST", `${url}/api/incidents`, {
      summary: "Co-edited incident",
      description: "Seeded by the end-to-end tests.",
      tags: [],
    });
    return { alertId, incidentId: incident.id };
  } finally {
    await server.stop();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const bin = resolveFromWeb(process.env.MOZDEF_BIN, "../target/debug/mozdef");
  const issuerBin = resolveFromWeb(process.env.OIDC_ISSUER_BIN, "../target/debug/examples/oidc_issuer");
  const webDist = resolveFromWeb(process.env.E2E_WEB_DIST, "dist");
  if (!existsSync(path.join(webDist, "index.html"))) {
    throw new Error(`no built UI at ${webDist}: run \`npm run build\` first (or set E2E_WEB_DIST)`);
  }
  const screenshots = path.join(REPO_DIR, "target", "web-screenshots");
  mkdirSync(screenshots, { recursive: true });

  const root = tempDir("mozdef-e2e-");
  const logDir = path.join(REPO_DIR, "target", "web-e2e-logs");
  removeDir(logDir);
  mkdirSync(logDir, { recursive: true });
  const servers: Server[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;
  };
  const teardown = async () => {
    await stopAll();
    if (process.env.E2E_KEEP === "1") console.log(`e2e: data and logs kept in ${root}`);
    else removeDir(root);
  };

  try {
    const openStack = (async () => {
      const { server, url } = await startMozdef({ bin, dataDir: path.join(root, "open"), webDist, logDir, name: "mozdef-open" });
      servers.push(server);
      return { url, seed: await seed(url, bin, logDir, "mozdef-open") };
    })();
    const oidcStack = (async () => {
      const dataDir = path.join(root, "oidc");
      const { alertId, incidentId } = await seedLoginData(bin, dataDir, webDist, logDir);
      const issuer = await startIssuer(issuerBin, logDir, { clientId: CLIENT_ID, audience: AUDIENCE, tokenLifetime: 300 });
      servers.push(issuer.server);
      const { server, url } = await startMozdef({
        bin,
        dataDir,
        webDist,
        logDir,
        name: "mozdef-oidc",
        oidc: { issuer: issuer.issuer, audience: AUDIENCE, clientId: CLIENT_ID },
      });
      servers.push(server);
      return { url, issuer: issuer.issuer, alertId, incidentId };
    })();
    // Both settle before anything is judged, so a failure of one leaves nothing of the other running.
    const [openResult, oidcResult] = await Promise.allSettled([openStack, oidcStack]);
    if (openResult.status === "rejected") throw openResult.reason;
    if (oidcResult.status === "rejected") throw oidcResult.reason;
    const open = openResult.value;
    const oidc = oidcResult.value;
    const env: E2eEnv = { repo: REPO_DIR, screenshots, logDir, open, oidc };
    project.provide("e2e", env);
    console.log(`e2e: servers up and seeded in ${((Date.now() - started) / 1000).toFixed(1)} s (open ${open.url}, OIDC ${oidc.url}, issuer ${oidc.issuer}; logs ${logDir})`);
  } catch (error) {
    await teardown().catch(() => undefined);
    throw error;
  }
  return teardown;
}
