import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEvent, SETTINGS, Settings } from '@polymaker/api/core';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Observable, Subject } from 'rxjs';

export interface LiveEvent {
  name: string;
  data: Record<string, unknown>;
}

/** A live event as this instance numbered it: `id` is what a client sends back as Last-Event-ID. */
export interface NumberedEvent extends LiveEvent {
  id: string;
  seq: number;
  /** The SSE frame, formatted once for every client. */
  frame: string;
}

/** Where a reconnecting client resumes: the events it missed, or a reset (it must refetch what it shows). */
export type Resumption = { replay: NumberedEvent[] } | { reset: string };

/** The event a client gets when its Last-Event-ID cannot be resumed: refetch, then follow the stream. */
export const RESET_EVENT = 'stream.reset';

const CHANNEL = 'polymaker_events';
/** NOTIFY payloads are limited to 8000 bytes; larger events travel as their ids only. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MAX_MS = 30_000;
/** Events emitted within this window travel in one NOTIFY (a JSON array): never a query per event. */
const BATCH_MS = 25;
/** Events waiting for their NOTIFY; past this (the database is not keeping up) the oldest are dropped and clients reset. */
const MAX_PENDING = 5000;

/**
 * Fans domain events out to every API instance: the events emitted after commits within BATCH_MS are
 * sent together with pg_notify (one JSON array a notification, split below the 8000-byte limit, all in
 * one statement), and every instance LISTENs and passes what arrives to its live (SSE) subscribers.
 * With several instances it keeps every admin screen live whichever instance a bot talks to.
 *
 * Each instance numbers the events it delivers (`<instance>-<n>`) and keeps the last LIVE_REPLAY_EVENTS
 * of them, so a client that reconnects with Last-Event-ID gets exactly what it missed. An id from another
 * instance, from before a restart, too old for the buffer, or from before the LISTEN connection was lost
 * (events of other instances may be missing) is answered with a reset instead.
 */
@Injectable()
export class LiveEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveEventsService.name);
  private readonly events = new Subject<NumberedEvent>();
  private readonly instance = randomBytes(4).toString('hex');
  private readonly ring: NumberedEvent[] = [];
  private seq = 0;
  /** Ids below this cannot be resumed (their successors are gone, or may be incomplete). */
  private resumableFrom = 0;
  private client: Client | null = null;
  private closing = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private dropped = 0;
  /** Payloads (one event each, JSON) waiting for the next NOTIFY. */
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly emitter: EventEmitter2,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  get stream(): Observable<NumberedEvent> {
    return this.events.asObservable();
  }

  /** The id of the latest event (a client that saw nothing yet resumes from here). */
  currentId(): string {
    return `${this.instance}-${this.seq}`;
  }

  /** Counts a client dropped for reading too slowly; returns the total so far. */
  countDrop(): number {
    this.dropped += 1;
    return this.dropped;
  }

  resume(lastEventId: string | undefined): Resumption {
    if (lastEventId === undefined || lastEventId === '') return { replay: [] };
    const match = /^([0-9a-f]{8})-(\d{1,15})$/.exec(lastEventId);
    if (!match || match[1] !== this.instance || Number(match[2]) > this.seq) {
      return { reset: 'unknown Last-Event-ID (from another instance or before a restart): refetch' };
    }
    const seen = Number(match[2]);
    if (seen < this.resumableFrom) return { reset: 'Last-Event-ID is older than the replay buffer: refetch' };
    return { replay: this.ring.filter((event) => event.seq > seen) };
  }

  /** A reset frame, numbered as the current position so the client resumes from here next time. */
  resetFrame(reason: string): string {
    return `id: ${this.currentId()}\nevent: ${RESET_EVENT}\ndata: ${JSON.stringify({ reason })}\n\n`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.orm.config.get('connect')) return; // building the OpenAPI spec: no database
    this.emitter.onAny((name: string | string[], event: unknown) => {
      if (typeof name === 'string' && event instanceof DomainEvent) this.publish(name, event);
    });
    await this.connect();
  }

  private deliver(event: LiveEvent): void {
    this.seq += 1;
    const id = `${this.instance}-${this.seq}`;
    const numbered: NumberedEvent = {
      ...event,
      id,
      seq: this.seq,
      frame: `id: ${id}\nevent: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`,
    };
    const capacity = this.settings.resilience.liveReplayEvents;
    if (capacity > 0) this.ring.push(numbered);
    while (this.ring.length > capacity) this.ring.shift();
    // the oldest resumable id is the one just before the oldest event kept
    this.resumableFrom = Math.max(this.resumableFrom, (this.ring[0]?.seq ?? this.seq + 1) - 1);
    this.events.next(numbered);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.orm.config.getClientUrl(),
      connectionTimeoutMillis: this.settings.resilience.dbConnectTimeoutMs,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        const parsed = JSON.parse(message.payload) as LiveEvent | LiveEvent[];
        for (const event of Array.isArray(parsed) ? parsed : [parsed]) this.deliver(event);
      } catch {
        this.logger.warn('ignored a malformed live event');
      }
    });
    const lost = (reason: string) => {
      if (this.client !== client) return;
      this.client = null;
      void client.end().catch(() => undefined);
      if (this.closing) return;
      this.logger.warn({ err: reason }, 'live event connection lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection ended'));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, 500 * 2 ** Math.min(this.reconnectAttempt, 6));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect()
        .then(() => {
          this.logger.log({ attempts: this.reconnectAttempt + 1 }, 'live event connection restored');
          this.reconnectAttempt = 0;
          // Other instances' events sent meanwhile never reached us: nobody can resume across the gap.
          this.resumableFrom = this.seq;
          this.events.next({
            name: RESET_EVENT,
            data: {},
            id: this.currentId(),
            seq: this.seq,
            frame: this.resetFrame(
              'live events may have been missed while the database was unreachable: refetch',
            ),
          });
        })
        .catch((error: Error) => {
          this.reconnectAttempt += 1;
          if (this.reconnectAttempt === 1 || this.reconnectAttempt % 10 === 0) {
            this.logger.warn(
              { err: error.message, attempts: this.reconnectAttempt },
              'live event connection still down; retrying',
            );
          }
          this.scheduleReconnect();
        });
    }, delay);
    this.reconnectTimer.unref();
  }

  private publish(name: string, event: DomainEvent): void {
    const data = { ...(event as unknown as Record<string, unknown>) };
    delete data['eventName'];
    let payload = JSON.stringify({ name, data });
    if (payload.length > MAX_PAYLOAD) {
      const slim = Object.fromEntries(
        Object.entries(data).filter(([key]) => key.endsWith('Id') || key === 'occurredAt'),
      );
      payload = JSON.stringify({ name, data: { ...slim, truncated: true } });
    }
    if (!this.client) {
      this.deliver(JSON.parse(payload) as LiveEvent); // degraded: this instance only
      return;
    }
    this.pending.push(payload);
    if (this.pending.length > MAX_PENDING) {
      const lost = this.pending.splice(0, this.pending.length - MAX_PENDING).length;
      this.logger.warn({ lost }, 'live events dropped: the database is not taking them fast enough');
      this.resumableFrom = this.seq;
      this.events.next({
        name: RESET_EVENT,
        data: {},
        id: this.currentId(),
        seq: this.seq,
        frame: this.resetFrame('live events were dropped under load: refetch'),
      });
    }
    this.flushTimer ??= setTimeout(() => void this.flush(), BATCH_MS);
  }

  /** Sends what is pending: each notification a JSON array below the payload limit, all in one statement. */
  private async flush(): Promise<void> {
    this.flushTimer = null;
    if (this.flushing) {
      this.flushTimer = setTimeout(() => void this.flush(), BATCH_MS);
      return;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const chunks: string[] = [];
    let current: string[] = [];
    let size = 2;
    for (const payload of batch) {
      if (current.length > 0 && size + payload.length + 1 > MAX_PAYLOAD) {
        chunks.push(`[${current.join(',')}]`);
        current = [];
        size = 2;
      }
      current.push(payload);
      size += payload.length + 1;
    }
    chunks.push(`[${current.join(',')}]`);
    const client = this.client;
    if (!client) {
      for (const payload of batch) this.deliver(JSON.parse(payload) as LiveEvent);
      return;
    }
    this.flushing = true;
    try {
      const calls = chunks.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
      await client.query(`select ${calls}`, [CHANNEL, ...chunks]);
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, events: batch.length },
        'could not fan out live events',
      );
      for (const payload of batch) this.deliver(JSON.parse(payload) as LiveEvent);
    } finally {
      this.flushing = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.flush().catch(() => undefined);
    this.events.complete();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
