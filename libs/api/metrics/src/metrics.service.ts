import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { RunUpdatedEvent, Sql, UnitOfWork } from '@polymaker/api/core';
import type { MetricPointView } from './dto/metric-point.dto';
import { RunMetricPoint } from './entities/run-metric-point.entity';
import type { MetricSample } from './metric-keys';

@Injectable()
export class MetricsService implements OnModuleInit {
  constructor(private readonly uow: UnitOfWork) {}

  /** The metric series reacts to run.updated inside the update's transaction: the point commits with it. */
  onModuleInit(): void {
    this.uow.listenInTransaction<RunUpdatedEvent>(RunUpdatedEvent.eventName, (event, sql) => this.recordPoint(sql, event));
  }

  /** Stores the point of one run/update (one statement, in the update's transaction). */
  async recordPoint(sql: Sql, event: RunUpdatedEvent): Promise<void> {
    await sql.query('insert into run_metric_points (run_id, at, metric_values, extra) values ($1, $2, $3::jsonb, $4::jsonb)', [
      event.runId,
      event.at,
      JSON.stringify(event.metrics),
      JSON.stringify(event.extra),
    ]);
  }

  /** Stores one point; called inside the unit of work that updates the run, so both commit together. */
  record(em: EntityManager, runId: number, sample: MetricSample, at = new Date()): void {
    em.persist(em.create(RunMetricPoint, { runId, at, values: sample.values, extra: sample.extra } as RunMetricPoint));
  }

  async series(runId: number, limit = 5000): Promise<MetricPointView[]> {
    const points = await this.uow.read((em) =>
      em.find(RunMetricPoint, { runId }, { orderBy: { at: 'desc', id: 'desc' }, limit }),
    );
    return points.reverse().map((point) => ({ ...point.values, at: point.at.toISOString(), extra: point.extra }));
  }
}
