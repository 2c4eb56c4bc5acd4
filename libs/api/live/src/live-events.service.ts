import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DomainEvent } from '@polymaker/api/core';
import { Client } from 'pg';
import { Observable, Subject } from 'rxjs';

export interface LiveEvent {
  name: string;
  data: Record<string, unknown>;
}

const CHANNEL = 'polymaker_events';
/** NOTIFY payloads are limited to 8000 bytes; larger events travel as their ids only. */
const MAX_PAYLOAD = 7000;

/**
 * Fans domain events out to every API instance: each event emitted after a commit is sent with
 * pg_notify, and every instance LISTENs and passes what arrives to its live (SSE) subscribers.
 * With one instance this costs one round trip per event; with several it keeps every admin
 * screen live whichever instance a bot talks to.
 */
@Injectable()
export class LiveEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveEventsService.name);
  private readonly events = new Subject<LiveEvent>();
  private client: Client | null = null;
  private closing = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly emitter: EventEmitter2,
  ) {}

  get stream(): Observable<LiveEvent> {
    return this.events.asObservable();
  }

  async onModuleInit(): Promise<void> {
    if (!this.orm.config.get('connect')) return; // building the OpenAPI spec: no database
    this.emitter.onAny((name: string | string[], event: unknown) => {
      if (typeof name === 'string' && event instanceof DomainEvent) void this.publish(name, event);
    });
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.orm.config.getClientUrl() });
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        this.events.next(JSON.parse(message.payload) as LiveEvent);
      } catch {
        this.logger.warn('ignored a malformed live event');
      }
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error.message }, 'live event connection lost; reconnecting');
      this.client = null;
      if (!this.closing) setTimeout(() => void this.connect().catch(() => undefined), 1000);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    this.client = client;
  }

  private async publish(name: string, event: DomainEvent): Promise<void> {
    const data = { ...(event as unknown as Record<string, unknown>) };
    delete data['eventName'];
    let payload = JSON.stringify({ name, data });
    if (payload.length > MAX_PAYLOAD) {
      const slim = Object.fromEntries(Object.entries(data).filter(([key]) => key.endsWith('Id') || key === 'occurredAt'));
      payload = JSON.stringify({ name, data: { ...slim, truncated: true } });
    }
    if (!this.client) {
      this.events.next(JSON.parse(payload) as LiveEvent); // degraded: this instance only
      return;
    }
    try {
      await this.client.query('select pg_notify($1, $2)', [CHANNEL, payload]);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, event: name }, 'could not fan out a live event');
      this.events.next(JSON.parse(payload) as LiveEvent);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.events.complete();
    await this.client?.end().catch(() => undefined);
  }
}
