import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@polymaker/api/core';
import type { MetricPointView } from './dto/metric-point.dto';
import { RunMetricPoint } from './entities/run-metric-point.entity';
import type { MetricSample } from './metric-keys';

@Injectable()
export class MetricsService {
  constructor(private readonly uow: UnitOfWork) {}

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
