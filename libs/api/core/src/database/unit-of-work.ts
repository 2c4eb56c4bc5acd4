import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DomainEvent } from '../events/domain-events';

interface Scope {
  em: EntityManager;
  events: DomainEvent[];
}

/**
 * One database transaction per unit of work, joined by every nested call, with domain events
 * collected on the way and emitted only after the outermost commit: a listener never sees an
 * event for data that was rolled back.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly scope = new AsyncLocalStorage<Scope>();

  constructor(
    private readonly em: EntityManager,
    private readonly emitter: EventEmitter2,
  ) {}

  /** Runs `work` in a transaction (or the one already open) and emits its events after commit. */
  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (current) return work(current.em);
    const events: DomainEvent[] = [];
    const result = await this.em.fork().transactional((em) => this.scope.run({ em, events }, () => work(em)));
    for (const event of events) this.emit(event);
    return result;
  }

  /** Reads with a fresh entity manager (or the open transaction's, so a writer sees its own writes). */
  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    return work(current ? current.em : this.em.fork());
  }

  /** Queues an event for after the commit; outside a transaction it is emitted at once. */
  publish(event: DomainEvent): void {
    const current = this.scope.getStore();
    if (current) current.events.push(event);
    else this.emit(event);
  }

  private emit(event: DomainEvent): void {
    try {
      this.emitter.emit(event.eventName, event);
    } catch (error) {
      this.logger.error({ event: event.eventName, err: (error as Error).message }, 'event listener failed');
    }
  }
}
