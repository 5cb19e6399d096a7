import { describe, expect, it } from "vitest";
import { categoryRows, clusterFacts, formatBytes, formatCount, formatFigure, queueList, statusWords } from "./health";

describe("health", () => {
  it("merges the category counts, the biggest first", () => {
    expect(categoryRows([{ syslog: 3, proxy: 1 }, { proxy: 4 }, { audit: 3 }])).toEqual([
      { category: "proxy", count: 5 },
      { category: "audit", count: 3 },
      { category: "syslog", count: 3 },
    ]);
    expect(categoryRows([])).toEqual([]);
  });
  it("reads the queues or their error", () => {
    const wal = { name: "wal", ready: 1, in_flight: 0, delayed: 0, backlog_bytes: 10 };
    expect(queueList([wal])).toEqual({ queues: [wal], error: null });
    expect(queueList({ error: "no SQS" })).toEqual({ queues: [], error: "no SQS" });
  });
  it("formats figures", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(null)).toBe("—");
    expect(formatFigure(0.456)).toBe("0.46");
    expect(formatFigure(3)).toBe("3");
    expect(formatFigure(undefined)).toBe("—");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5 MiB");
    expect(formatBytes(null)).toBe("—");
  });
  it("says the status in words", () => {
    expect(statusWords("green")).toContain("green");
    expect(statusWords("red")).toContain("unavailable");
    expect(statusWords("blue")).toBe("blue");
  });
  it("lists the cluster's scalars", () => {
    expect(clusterFacts({ cluster_name: "c", number_of_nodes: 3, timed_out: false, nested: { a: 1 } })).toEqual([
      ["cluster_name", "c"],
      ["number_of_nodes", "3"],
      ["timed_out", "false"],
    ]);
    expect(clusterFacts(null)).toEqual([]);
  });
});
