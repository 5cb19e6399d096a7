/**
 * The servers the end-to-end tests run against, as child processes: `mozdef dev` (open, and
 * behind the test OIDC issuer) serving the built UI, seeded through its own API. Each server is
 * the leader of its own process group, stopped with SIGTERM (SIGKILL after a grace period) at
 * teardown, and killed outright if this process exits first: no server outlives a run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** web/ */
export const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
/** The repository's root. */
export const REPO_DIR = path.resolve(WEB_DIR, "..");

const GRACE_MS = 8_000;

// ---------------------------------------------------------------------------------------------
// Processes

const running = new Set<Server>();

function killAllNow(): void {
  for (const server of running) server.killNow();
}

let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // Whatever ends this process, the servers end with it.
  process.on("exit", killAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      killAllNow();
      process.removeListener(signal, handler);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

/** A line-oriented child process in its own process group, its output teed to a log file. */
export class Server {
  readonly name: string;
  readonly logPath: string;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined = undefined;
  private readonly lineWaiters = new Set<(line: string) => void>();
  private readonly tail: string[] = [];

  constructor(name: string, command: string, args: string[], logDir: string, env: NodeJS.ProcessEnv = {}) {
    hookExit();
    this.name = name;
    this.logPath = path.join(logDir, `${name}.log`);
    this.log = createWriteStream(this.logPath);
    this.log.write(`$ ${command} ${args.join(" ")}\n`);
    this.child = spawn(command, args, {
      detached: true, // its own process group: stop() reaches its children too
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        running.delete(this);
        resolve(this.exitCode);
      });
      this.child.once("error", (error) => {
        this.tail.push(`spawn failed: ${error.message}`);
        this.exitCode = -1;
        running.delete(this);
        resolve(-1);
      });
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        this.log.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        for (const waiter of this.lineWaiters) waiter(line);
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines it wrote, for error messages. */
  lastLines(): string {
    return this.tail.join("\n");
  }

  /** The first line `match` accepts (returning a value), or an error naming the process. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (error: Error | null, value?: T) => {
        clearTimeout(timer);
        this.lineWaiters.delete(onLine);
        if (error) reject(error);
        else resolve(value as T);
      };
      const onLine = (line: string) => {
        let value: T | undefined;
        try {
          value = match(line);
        } catch {
          value = undefined;
        }
        if (value !== undefined) done(null, value);
      };
      const timer = setTimeout(
        () => done(new Error(`${this.name}: no ${what} within ${timeoutMs} ms (log: ${this.logPath})\n${this.lastLines()}`)),
        timeoutMs,
      );
      this.lineWaiters.add(onLine);
      void this.exited.then((code) =>
        done(new Error(`${this.name} exited (${code}) before ${what} (log: ${this.logPath})\n${this.lastLines()}`)),
      );
    });
  }

  /** Waits for it to end by itself; its exit code. */
  wait(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM to the group, SIGKILL after the grace period. */
  async stop(): Promise<void> {
    if (this.exitCode === undefined) {
      this.signal("SIGTERM");
      const timer = setTimeout(() => this.signal("SIGKILL"), GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    // Children it may have left in its group.
    this.signal("SIGKILL");
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  killNow(): void {
    this.signal("SIGKILL");
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Runs a command to its end; its output on failure. */
export async function run(name: string, command: string, args: string[], logDir: string): Promise<void> {
  const server = new Server(name, command, args, logDir);
  const code = await server.wait();
  await server.stop();
  if (code !== 0) throw new Error(`${name} failed (${code}): ${command} ${args.join(" ")}\n${server.lastLines()}`);
}

// ---------------------------------------------------------------------------------------------
// mozdef dev

export interface MozdefOptions {
  bin: string;
  dataDir: string;
  webDist: string;
  logDir: string;
  name: string;
  oidc?: { issuer: string; audience: string; clientId: string };
}

/** The address in `mozdef dev`'s ready line (JSON log format). */
function readyAddress(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  const record = JSON.parse(line) as { fields?: { message?: unknown; listen?: unknown } };
  const message = record.fields?.message;
  const listen = record.fields?.listen;
  if (typeof message === "string" && message.includes("ready") && typeof listen === "string" && !listen.endsWith(":0")) {
    return listen;
  }
  return undefined;
}

/** Starts `mozdef dev` on a free loopback port; resolves once it is ready, with its URL. */
export async function startMozdef(options: MozdefOptions): Promise<{ server: Server; url: string }> {
  if (!existsSync(options.bin)) {
    throw new Error(`no mozdef binary at ${options.bin}: run \`cargo build -p mozdef\` (or set MOZDEF_BIN)`);
  }
  const args = [
    "dev",
    "--listen",
    "127.0.0.1:0",
    "--log-format",
    "json",
    "--data-dir",
    options.dataDir,
    "--web-dist",
    options.webDist,
    "--web-build",
    "never",
    // Alerts run only when a test asks: the tables hold still.
    "--alerts-paused",
  ];
  if (options.oidc) {
    args.push(
      "--oidc-issuer",
      options.oidc.issuer,
      "--oidc-audience",
      options.oidc.audience,
      "--oidc-client-id",
      options.oidc.clientId,
    );
  }
  const server = new Server(options.name, options.bin, args, options.logDir);
  try {
    const listen = await server.waitForLine(readyAddress, 60_000, "ready line");
    const url = `http://${listen}`;
    // /config.json answers without a token, with or without OIDC.
    await waitForHttp(`${url}/config.json`, 30_000);
    return { server, url };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** JSON over HTTP; an error naming the call and the answer when it is not 2xx. */
export async function call<T>(method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

// ---------------------------------------------------------------------------------------------
// Seed data

/** The hostile text of the XSS check: markup, a script, a javascript: URL, a bidi override. */
export const HOSTILE_SUMMARY = "<img src=x onerror=alert(1)> <script>alert(2)</script> javascript:alert(3) \u202Ereversed";
export const HOSTILE_HOSTNAME = "<b>evil</b>";
/** The hostile event's category (a plain word: a search finds it). */
export const HOSTILE_CATEGORY = "e2ehostile";

/** Addresses of the brute-force alerts (routable, not reserved: they can be blocked). */
export const BRUTEFORCE_IPS = ["81.2.69.142", "89.160.20.112", "175.16.199.1", "216.160.83.56"] as const;

export interface SeededAlert {
  id: string;
  summary: string;
  category: string;
  /** The source address of a brute-force alert. */
  ip?: string;
}

export interface Seed {
  /** One per BRUTEFORCE_IPS address, in that order. */
  bruteforce: SeededAlert[];
  /** The sftp alert (category `execve`), its summary carrying the hostile text. */
  hostileAlert: SeededAlert;
  hostileEventId: string;
  incident: { id: string; summary: string };
  investigation: { id: string; summary: string };
  /** An incident whose summary, description and references are the hostile text. */
  hostileIncident: { id: string; summary: string };
}

interface Hit {
  _id: string;
  _source: Record<string, unknown>;
}
interface RunResult {
  raised: number;
  runs: { name: string; alerts: Hit[]; errors: unknown[] }[];
}

export async function searchCount(url: string, query: string): Promise<{ total: number; hits: Hit[] }> {
  const result = await call<{ hits: Hit[]; total?: number | { value: number } }>("POST", `${url}/api/search`, {
    query,
    minutes: 60,
    size: 100,
  });
  const total = typeof result.total === "number" ? result.total : (result.total?.value ?? result.hits.length);
  return { total, hits: result.hits };
}

export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`seeding: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Ten sshd failures from `ip` on bastion1: what `bruteforce_ssh` raises an alert on. */
export async function sendBruteforce(url: string, ip: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await call("POST", `${url}/events`, {
      category: "syslog",
      hostname: "bastion1",
      processname: "sshd",
      summary: `Failed password for invalid user admin from ${ip} port 4242 ssh2`,
      details: { program: "sshd", sourceipaddress: ip },
    });
  }
}

/**
 * Seeds an open `mozdef dev`: 2,000 sample events, brute-force events and their alerts, the
 * hostile event and a hostile alert, an incident and an investigation.
 */
export async function seed(url: string, bin: string, logDir: string, name: string): Promise<Seed> {
  await run(`${name}-send`, bin, ["send", "--url", url, "--count", "2000", "--bulk", "500", "--quiet", "--seed", "42"], logDir);

  for (const ip of BRUTEFORCE_IPS) await sendBruteforce(url, ip);
  // The sftp alert names details.originaluser in its summary: hostile text in an alert.
  await call("POST", `${url}/events`, {
    category: "execve",
    processname: "audisp-json",
    hostname: "build1",
    summary: "sftp session",
    details: { processname: "ssh", parentprocess: "sftp", originaluser: HOSTILE_SUMMARY, cwd: "/home/alice" },
  });
  await call("POST", `${url}/events`, {
    category: HOSTILE_CATEGORY,
    hostname: HOSTILE_HOSTNAME,
    summary: HOSTILE_SUMMARY,
    details: { big: "x".repeat(200 * 1024), note: HOSTILE_SUMMARY },
  });

  // Events are searchable a moment after they are accepted.
  await until("the brute-force events becoming searchable", 30_000, async () =>
    (await searchCount(url, "details.program:sshd AND hostname:bastion1")).total >= BRUTEFORCE_IPS.length * 10 ? true : undefined,
  );
  const hostileEventId = await until("the hostile event becoming searchable", 30_000, async () => {
    const { hits } = await searchCount(url, `category:${HOSTILE_CATEGORY}`);
    return hits[0]?._id;
  });
  await until("the sftp event becoming searchable", 30_000, async () =>
    (await searchCount(url, "category:execve")).total >= 1 ? true : undefined,
  );

  const result = await call<RunResult>("POST", `${url}/api/alerts/run`, { names: ["bruteforce_ssh", "auditd_sftp"] });
  const raised = result.runs.flatMap((r) => r.alerts);
  const errors = result.runs.flatMap((r) => r.errors);
  if (errors.length > 0) throw new Error(`seeding: the alerts failed: ${JSON.stringify(errors).slice(0, 500)}`);
  const alert = (hit: Hit): SeededAlert => ({
    id: hit._id,
    summary: String(hit._source.summary),
    category: String(hit._source.category),
  });
  const bruteforce = BRUTEFORCE_IPS.map((ip) => {
    const hit = raised.find((h) => h._source.category === "bruteforce" && String(h._source.summary).includes(` ${ip} `));
    if (!hit) throw new Error(`seeding: no brute-force alert for ${ip} (raised: ${raised.map((h) => String(h._source.summary)).join("; ")})`);
    return { ...alert(hit), ip };
  });
  const sftp = raised.find((h) => h._source.category === "execve");
  if (!sftp) throw new Error("seeding: the sftp alert was not raised");

  // The triage table holds its copies once the run is over.
  await until("the alerts' triage copies", 30_000, async () => {
    const page = await call<{ records: { id: string }[] }>("GET", `${url}/api/alerts/triage?limit=100`);
    return page.records.length >= bruteforce.length + 1 ? true : undefined;
  });

  const incident = await call<{ id: string; summary: string }>("POST", `${url}/api/incidents`, {
    summary: "Seeded incident: phishing wave",
    description: "Seeded by the end-to-end tests.",
    phase: "Identification",
    tags: [],
  });
  const investigation = await call<{ id: string; summary: string }>("POST", `${url}/api/investigations`, {
    summary: "Seeded investigation: odd sftp sessions",
    description: "Seeded by the end-to-end tests.",
    phase: "Identification",
    tags: [],
  });
  const hostileIncident = await call<{ id: string; summary: string }>("POST", `${url}/api/incidents`, {
    summary: `Hostile ${HOSTILE_SUMMARY}`,
    description: `${HOSTILE_SUMMARY}\n${"y".repeat(60_000)}`,
    references: ["javascript:alert(4)", HOSTILE_SUMMARY],
    tags: [],
  });
  // A watched term and comment of hostile text (the lists render both).
  await call("POST", `${url}/api/watchitem`, { watchcontent: HOSTILE_HOSTNAME, comment: HOSTILE_SUMMARY, duration: "1d" });
  return {
    bruteforce,
    hostileAlert: alert(sftp),
    hostileEventId,
    incident: { id: incident.id, summary: incident.summary },
    investigation: { id: investigation.id, summary: investigation.summary },
    hostileIncident: { id: hostileIncident.id, summary: hostileIncident.summary },
  };
}

// ---------------------------------------------------------------------------------------------
// The test OIDC issuer

export async function startIssuer(
  bin: string,
  logDir: string,
  options: { clientId: string; audience: string; tokenLifetime: number },
): Promise<{ server: Server; issuer: string }> {
  if (!existsSync(bin)) {
    throw new Error(`no OIDC issuer at ${bin}: run \`cargo build -p mozdef-api --example oidc_issuer\` (or set OIDC_ISSUER_BIN)`);
  }
  const server = new Server("oidc-issuer", bin, [
    "--listen",
    "127.0.0.1:0",
    "--client-id",
    options.clientId,
    "--audience",
    options.audience,
    "--token-lifetime",
    String(options.tokenLifetime),
  ], logDir);
  try {
    const issuer = await server.waitForLine(
      (line) => {
        if (!line.startsWith("{")) return undefined;
        const value = (JSON.parse(line) as { issuer?: unknown }).issuer;
        return typeof value === "string" ? value.replace(/\/+$/, "") : undefined;
      },
      30_000,
      "issuer line",
    );
    await waitForHttp(`${issuer}/.well-known/openid-configuration`, 10_000);
    return { server, issuer };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
