/**
 * The change feed (`GET /api/changes`, long poll): one loop per tab that hands every change to
 * its subscribers. Long polls work the same on `mozdef dev` and behind API Gateway.
 */
import { ApiError, type Api } from "./client";
import type { Change } from "./types";

export type ChangeListener = (change: Change) => void;
export type FeedState = "connecting" | "live" | "retrying";

export class ChangeFeed {
  private cursor: number | null = null;
  private listeners = new Set<ChangeListener>();
  private stateListeners = new Set<(state: FeedState) => void>();
  private controller: AbortController | null = null;
  state: FeedState = "connecting";

  constructor(private readonly api: Api) {}

  start(): void {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    void this.loop(controller.signal);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = null;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: FeedState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async loop(signal: AbortSignal): Promise<void> {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const feed = await this.api.request<{ changes: Change[]; cursor: number }>("GET", "/changes", {
          query: { after: this.cursor ?? undefined, wait: this.cursor === null ? 0 : 20 },
          signal,
        });
        this.cursor = feed.cursor;
        this.setState("live");
        delay = 1000;
        for (const change of feed.changes) {
          for (const listener of this.listeners) listener(change);
        }
      } catch (error) {
        if (signal.aborted) return;
        this.setState("retrying");
        // A 401 ends the session (the client reports it); keep trying slowly meanwhile.
        const wait = error instanceof ApiError && error.status === 401 ? 5000 : delay;
        await new Promise((resolve) => setTimeout(resolve, wait));
        delay = Math.min(delay * 2, 15000);
      }
    }
  }
}
