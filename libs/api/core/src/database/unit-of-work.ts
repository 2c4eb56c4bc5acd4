import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DomainEvent } from '../events/domain-events';

/** Work owed by an event that must commit with it (e.g. the outbox job it makes due). */
export type InTransactionListener<E extends DomainEvent = DomainEvent> = (em: EntityManager, event: E) => Promise<void>;

interface Scope {
  em: EntityManager;
  events: DomainEvent[];
}

/**
 * One database transaction per unit of work, joined by every nested call, with domain events
 * collected on the way and emitted only after the outermost commit: a listener never sees an
 * event for data that was rolled back. In-transaction listeners run inside the publishing
 * transaction, just before its commit: what they write commits (or rolls back) with the event.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly scope = new AsyncLocalStorage<Scope>();
  private readonly inTransaction = new Map<string, InTransactionListener[]>();

  constructor(
    private readonly em: EntityManager,
    private readonly emitter: EventEmitter2,
  ) {}

  /** Runs `work` in a transaction (or the one already open) and emits its events after commit. */
  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (current) return work(current.em);
    const events: DomainEvent[] = [];
    const result = await this.em.fork().transactional((em) =>
      this.scope.run({ em, events }, async () => {
        const value = await work(em);
        // by index: a listener may publish further events, which get their listeners too
        for (let i = 0; i < events.length; i++) {
          for (const listener of this.inTransaction.get(events[i].eventName) ?? []) await listener(em, events[i]);
        }
        return value;
      }),
    );
    for (const event of events) this.emit(event);
    return result;
  }

  /** Reads with a fresh entity manager (or the open transaction's, so a writer sees its own writes). */
  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    return work(current ? current.em : this.em.fork());
  }

  /**
   * Runs `listener` in the transaction of every unit of work that publishes `eventName`, before
   * it commits; a listener that throws rolls the whole unit of work back.
   */
  listenInTransaction<E extends DomainEvent>(eventName: string, listener: InTransactionListener<E>): void {
    this.inTransaction.set(eventName, [...(this.inTransaction.get(eventName) ?? []), listener as InTransactionListener]);
  }

  /** Queues an event for after the commit; outside a transaction it is emitted at once. */
  publish(event: DomainEvent): void {
    const current = this.scope.getStore();
    if (current) current.events.push(event);
    else if (this.inTransaction.has(event.eventName)) {
      throw new Error(`"${event.eventName}" owes work that commits with it: publish it inside a unit of work`);
    } else this.emit(event);
  }

  private emit(event: DomainEvent): void {
    try {
      this.emitter.emit(event.eventName, event);
    } catch (error) {
      this.logger.error({ event: event.eventName, err: (error as Error).message }, 'event listener failed');
    }
  }
}
