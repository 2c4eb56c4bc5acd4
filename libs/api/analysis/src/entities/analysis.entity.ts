import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

export type AnalysisTrigger = 'stop' | 'stale' | 'on-demand';
/** pending: the stop's score only; complete: with breakdowns and suggestions; failed: the job gave up. */
export type AnalysisState = 'pending' | 'complete' | 'failed';

/** One stored analysis of a run: scores with their inputs and formulas, breakdowns, suggestions. */
@Entity({ tableName: 'analyses' })
@Index({ properties: ['runId', 'id'] })
@Index({ properties: ['botId', 'id'] })
export class Analysis {
  @PrimaryKey({ type: new BigIntType('number') })
  id!: number;

  @Property({ type: new BigIntType('number') })
  runId!: number;

  /** The bot of the analysed run, copied at insert (a run never changes bot); null for a run without a bot. */
  @Property({ type: new BigIntType('number'), nullable: true })
  botId: number | null = null;

  /** The config the suggestions start from (the run's, else the one active at analysis time). */
  @Property({ type: new BigIntType('number'), nullable: true })
  configId: number | null = null;

  @Property({ type: 'text' })
  trigger!: AnalysisTrigger;

  @Property({ type: 'text' })
  runStatus!: string;

  @Property({ type: 'integer' })
  overallScore!: number;

  @Property({ type: 'text' })
  dataQuality!: 'ok' | 'thin';

  /** The RunAnalysis: scores (inputs + formula each), summary, breakdowns, notes. */
  @Property({ type: 'jsonb' })
  result!: Record<string, unknown>;

  /** The SuggestionSet: status, message, items. */
  @Property({ type: 'jsonb' })
  suggestions!: Record<string, unknown>;

  /** Config versions created by applying this analysis's suggestions. */
  @Property({ type: 'jsonb' })
  appliedConfigIds: number[] = [];

  @Property({ type: 'integer' })
  engineVersion!: number;

  @Property({ type: 'text' })
  state: AnalysisState = 'complete';

  /** Why the analysis job gave up (state failed). */
  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
