import { DestroyRef, Injectable, NgZone, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { AdminSession } from './admin-session';
import { STREAM_RESET, ServerEvent, parseEventStream } from './sse';

export type LiveMode = 'off' | 'connecting' | 'live' | 'polling';

/** The name of the tick sent to every listener while the app polls instead of streaming. */
export const POLL_TICK = 'poll';

type Listener = (event: ServerEvent) => void;

const POLL_MS = 5_000;
const RETRY_STREAM_WHILE_POLLING_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

function matches(patterns: readonly string[], name: string): boolean {
  return (
    name === POLL_TICK ||
    patterns.some((p) => p === '*' || p === name || (p.endsWith('.*') && name.startsWith(p.slice(0, -1))))
  );
}

/**
 * Live updates from GET /api/v1/events (Server-Sent Events read with fetch, because EventSource
 * cannot send the X-Api-Key header), reconnecting with backoff. While the stream is unavailable
 * (404 on an older server, or the connection is down) it polls: every listener gets a "poll" tick every 5 s.
 */
@Injectable({ providedIn: 'root' })
export class LiveEvents {
  private readonly session = inject(AdminSession);
  private readonly router = inject(Router);
  private readonly zone = inject(NgZone);
  private readonly listeners = new Set<{ patterns: readonly string[]; listener: Listener }>();
  private readonly modeSignal = signal<LiveMode>('off');
  private readonly lastEventSignal = signal<ServerEvent | null>(null);
  private abort: AbortController | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private running = false;
  /** The last event id received: sent as Last-Event-ID on a reconnect, so the server replays what was missed. */
  private lastEventId: string | null = null;

  readonly mode = this.modeSignal.asReadonly();
  readonly lastEvent = this.lastEventSignal.asReadonly();

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.lastEventId = null; // a fresh start loads everything anyway
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.abort = null;
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.modeSignal.set('off');
  }

  /**
   * Calls `handler` (debounced) when one of the named events arrives ("run.*" matches run.started, run.updated...)
   * and on every poll tick. Unregisters itself when the calling component is destroyed.
   */
  watch(patterns: readonly string[], handler: (events: ServerEvent[]) => void, debounceMs = 250): () => void {
    let pending: ServerEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const entry = {
      patterns,
      listener: (event: ServerEvent) => {
        pending.push(event);
        if (timer) return;
        timer = setTimeout(() => {
          timer = null;
          const batch = pending;
          pending = [];
          handler(batch);
        }, debounceMs);
      },
    };
    this.listeners.add(entry);
    const dispose = () => {
      this.listeners.delete(entry);
      if (timer) clearTimeout(timer);
    };
    try {
      inject(DestroyRef).onDestroy(dispose);
    } catch {
      // called outside an injection context: the caller disposes
    }
    return dispose;
  }

  /** Delivers an event to the listeners as if the server had sent it (tests, optimistic updates). */
  emit(event: ServerEvent): void {
    this.lastEventSignal.set(event);
    for (const { patterns, listener } of this.listeners) if (matches(patterns, event.name)) listener(event);
  }

  private async connect(): Promise<void> {
    const key = this.session.key();
    if (!this.running || !key) return;
    if (this.modeSignal() !== 'polling') this.modeSignal.set('connecting');
    const abort = new AbortController();
    this.abort = abort;
    try {
      const headers: Record<string, string> = { 'X-Api-Key': key, Accept: 'text/event-stream' };
      const resuming = this.lastEventId !== null;
      if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
      const response = await fetch('/api/v1/events', {
        headers,
        cache: 'no-store',
        signal: abort.signal,
      });
      if (response.status === 401) {
        this.stop();
        this.session.signOut('Signed out: the server no longer accepts this admin key.');
        void this.router.navigate(['/sign-in']);
        return;
      }
      if (response.status === 404) {
        // An API without the stream: poll, and look for the stream again now and then.
        this.startPolling();
        this.scheduleReconnect(RETRY_STREAM_WHILE_POLLING_MS);
        return;
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      this.stopPolling();
      this.modeSignal.set('live');
      this.attempt = 0;
      // Something may have changed while we were not listening. A reconnect with Last-Event-ID is replayed
      // what it missed instead, or told to refetch with a stream.reset (below).
      if (!resuming) this.emit({ name: 'stream.connected', data: null });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const { events, rest, lastId } = parseEventStream(buffer);
        buffer = rest;
        if (lastId !== undefined) this.lastEventId = lastId;
        // stream.reset: the missed events cannot be replayed; every page refetches as on a first connection
        const delivered = events.map((event) =>
          event.name === STREAM_RESET ? { name: 'stream.connected', data: event.data } : event,
        );
        if (delivered.length) this.zone.run(() => delivered.forEach((event) => this.emit(event)));
      }
      throw new Error('stream ended');
    } catch {
      if (abort.signal.aborted || !this.running) return;
      this.startPolling();
      this.attempt++;
      this.scheduleReconnect(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.attempt - 1, 5)));
    }
  }

  private scheduleReconnect(ms: number): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, ms);
  }

  private startPolling(): void {
    this.modeSignal.set('polling');
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.emit({ name: POLL_TICK, data: null }), POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
