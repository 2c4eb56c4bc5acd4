import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_RUNS, GoldenRun } from './golden/fixtures';
import {
  ENGINE_VERSION,
  overallOf,
  RunAnalysis,
  SCORING,
  ScoringConstants,
  scoreRun,
  SUB_SCORES,
} from './score-run';

const NOW = new Date('2026-12-01T10:00:00Z');
const numbersOf = (analysis: RunAnalysis) => ({
  overallScore: analysis.overallScore,
  scores: Object.fromEntries(SUB_SCORES.map((name) => [name, analysis.scores[name]?.score ?? null])),
});
const matchesGolden = (constants: ScoringConstants) =>
  GOLDEN_RUNS.every(
    (run) => JSON.stringify(numbersOf(scoreRun(run.inputs, NOW, constants))) === JSON.stringify(run.expected),
  );
const byName = (name: string): GoldenRun => {
  const run = GOLDEN_RUNS.find((r) => r.name === name);
  if (!run) throw new Error(`no golden run ${name}`);
  return run;
};

describe('scoreRun: golden runs', () => {
  it.each(GOLDEN_RUNS.map((run) => [run.name, run] as const))(
    '%s: every sub-score and the overall score as worked out by hand',
    (_name, run) => {
      const analysis = scoreRun(run.inputs, NOW);
      expect(numbersOf(analysis)).toEqual(run.expected);
      expect(analysis.engineVersion).toBe(3);
      for (const name of SUB_SCORES) {
        const sub = analysis.scores[name];
        if (sub)
          expect(sub).toEqual({
            score: expect.any(Number),
            inputs: expect.any(Object),
            formula: expect.any(String),
            label: expect.any(String),
            rewards: expect.any(String),
          });
      }
    },
  );

  it('ranks the run that was picked off far below the steady maker, though it filled more of its orders', () => {
    const steady = scoreRun(byName('steady maker').inputs, NOW);
    const picked = scoreRun(byName('picked off').inputs, NOW);
    expect(picked.summary.fillRate).toBe(0.7);
    expect(steady.summary.fillRate).toBe(0.4615);
    expect(picked.overallScore).toBeLessThan(steady.overallScore - 50);
    expect(picked.scores.spreadCapture?.inputs).toMatchObject({
      spreadPerShare: 0.008,
      adverseSelectionPerShare: 0.032,
      netEdgePerShare: -0.024,
    });
    // no sub-score rewards filling as such: the old execution score is gone
    expect(Object.keys(picked.scores)).toEqual([
      'spreadCapture',
      'inventory',
      'hedging',
      'risk',
      'capitalReturn',
    ]);
  });

  it('shows the inputs each sub-score was computed from', () => {
    const { scores } = scoreRun(byName('steady maker').inputs, NOW);
    expect(scores.spreadCapture?.inputs).toEqual({
      quotingFills: 226,
      markedFills: 150,
      markedShares: '1500',
      horizonSeconds: 120,
      spreadPerShare: 0.0185,
      adverseSelectionPerShare: 0.0062,
      netEdgePerShare: 0.0123,
      pairedShares: '1040',
      pairEdgePerPairedShare: 0.021,
    });
    expect(scores.inventory?.inputs).toEqual({
      windows: 60,
      oneSidedWindows: 8,
      shares: '2360',
      unpairedShares: '180',
      unpairedCost: '86.4',
      oneSidedShare: 0.0763,
      openWindowsCounted: 0,
    });
    expect(scores.hedging?.inputs).toEqual({
      hedgeFills: 10,
      hedgeShares: '100',
      hedgeCost: '52',
      hedgePnl: '-4',
      hedgedWindows: 10,
      hedgedWindowsPnl: '-4.5',
      pairedShares: '100',
      avgPairCost: 1.045,
      premiumPerShare: 0.045,
    });
    expect(scores.risk?.inputs).toEqual({
      maxDrawdown: '9.2',
      bankroll: '1000',
      maxLossPct: 0.2,
      maxLossPctFrom: 'config',
      lossLimit: 200,
      limitUsed: 0.046,
    });
    expect(scores.capitalReturn?.inputs).toEqual({
      totalPnl: '6.2',
      capitalDeployed: '400',
      capitalFrom: 'maxCapitalDeployed',
      hours: 2,
      returnPerHour: 0.0078,
    });
  });

  it('says why a sub-score is missing: too few marked fills, no hedges, the quick score at the stop', () => {
    const running = scoreRun(byName('running, no hedges, default loss limit').inputs, NOW);
    expect(running.notes).toContain(
      'Only 4 of 40 quoting fills had a later fill of the bot in the same window within 120 s (need 5): spread capture is not scored.',
    );
    expect(running.notes).toContain('No hedge fills (strategy "hedge…"): hedging is not scored.');
    expect(running.scores.risk?.inputs).toMatchObject({ maxLossPct: 0.2, maxLossPctFrom: 'default' });
    expect(running.scores.capitalReturn?.inputs).toMatchObject({
      capitalDeployed: '200',
      capitalFrom: 'filled notional (no maxCapitalDeployed)',
    });
    const atStop = scoreRun(byName('steady maker at its stop (aggregates only)').inputs, NOW);
    expect(atStop.notes[0]).toBe(
      "Quick score from the run's totals: spread capture, inventory and hedging need the run's fills and come with the full analysis.",
    );
    // the stop's risk and capital return are the full analysis' own
    const full = scoreRun(byName('steady maker').inputs, NOW);
    expect(atStop.scores.risk).toEqual(full.scores.risk);
    expect(atStop.scores.capitalReturn).toEqual(full.scores.capitalReturn);
  });

  it('pins the weights and the constants (a change must be deliberate and re-worked by hand above)', () => {
    expect(SCORING).toEqual({
      weights: { spreadCapture: 0.3, inventory: 0.2, hedging: 0.1, risk: 0.2, capitalReturn: 0.2 },
      markoutHorizonSeconds: 120,
      minMarkedFills: 5,
      edgeScalePerShare: 0.01,
      inventoryZeroShare: 0.5,
      hedgePremiumZero: 0.2,
      defaultMaxLossPct: 0.2,
      capitalReturnScalePerHour: 0.01,
    });
    expect(ENGINE_VERSION).toBe(3);
    expect(Object.values(SCORING.weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  // The golden values do not follow the constants: every weight and every constant the scores use,
  // moved by a quarter or a half either way, breaks at least one golden run.
  const moved = (change: (c: ScoringConstants) => void): ScoringConstants => {
    const copy = JSON.parse(JSON.stringify(SCORING)) as ScoringConstants;
    change(copy);
    return copy;
  };
  it('matches the goldens with the engine constants', () => expect(matchesGolden(SCORING)).toBe(true));
  it.each(
    SUB_SCORES.flatMap(
      (name) =>
        [
          [name, 0.5],
          [name, 1.5],
        ] as const,
    ),
  )('fails the goldens when the weight of %s is scaled by %s', (name, factor) => {
    expect(matchesGolden(moved((c) => (c.weights[name] *= factor)))).toBe(false);
  });
  const scored = [
    'minMarkedFills',
    'edgeScalePerShare',
    'inventoryZeroShare',
    'hedgePremiumZero',
    'defaultMaxLossPct',
    'capitalReturnScalePerHour',
  ] as const;
  it.each(
    scored.flatMap(
      (key) =>
        [
          [key, 0.75],
          [key, 1.25],
        ] as const,
    ),
  )('fails the goldens when %s is scaled by %s', (key, factor) => {
    expect(matchesGolden(moved((c) => (c[key] *= factor)))).toBe(false);
  });

  it('writes each formula from the constants the computation uses', () => {
    const { scores, formula } = scoreRun(byName('steady maker').inputs, NOW);
    expect(scores.spreadCapture?.formula).toContain(`tanh(netEdgePerShare / ${SCORING.edgeScalePerShare})`);
    expect(scores.spreadCapture?.formula).toContain(`within ${SCORING.markoutHorizonSeconds} s`);
    expect(scores.spreadCapture?.formula).toContain(`needs ${SCORING.minMarkedFills} marked fills`);
    expect(scores.inventory?.formula).toContain(`oneSidedShare / ${SCORING.inventoryZeroShare}`);
    expect(scores.inventory?.formula).toContain('50% one-sided scores 0');
    expect(scores.hedging?.formula).toContain(`premiumPerShare / ${SCORING.hedgePremiumZero}`);
    expect(scores.hedging?.formula).toContain('1.2 or more scores 0');
    expect(scores.risk?.formula).toContain(`${SCORING.defaultMaxLossPct} when unset`);
    expect(scores.capitalReturn?.formula).toContain(
      `tanh(returnPerHour / ${SCORING.capitalReturnScalePerHour})`,
    );
    expect(formula).toBe(
      'round(sum(weight * score) / sum(weight)) over the sub-scores that could be computed; weights spreadCapture 0.3, inventory 0.2, hedging 0.1, risk 0.2, capitalReturn 0.2',
    );

    // other constants, other text: the formulas are generated, not written beside the code
    const other = moved((c) => {
      c.edgeScalePerShare = 0.015;
      c.markoutHorizonSeconds = 90;
      c.minMarkedFills = 8;
      c.inventoryZeroShare = 0.4;
      c.hedgePremiumZero = 0.15;
      c.defaultMaxLossPct = 0.3;
      c.capitalReturnScalePerHour = 0.02;
      c.weights.hedging = 0.15;
    });
    const changed = scoreRun(byName('steady maker').inputs, NOW, other);
    expect(changed.scores.spreadCapture?.formula).toContain('tanh(netEdgePerShare / 0.015)');
    expect(changed.scores.spreadCapture?.formula).toContain('within 90 s');
    expect(changed.scores.spreadCapture?.formula).toContain('needs 8 marked fills');
    expect(changed.scores.inventory?.formula).toContain('oneSidedShare / 0.4), ');
    expect(changed.scores.inventory?.formula).toContain('40% one-sided scores 0');
    expect(changed.scores.hedging?.formula).toContain('1.15 or more scores 0');
    expect(changed.scores.risk?.formula).toContain('0.3 when unset');
    expect(changed.scores.capitalReturn?.formula).toContain('2% an hour');
    expect(changed.formula).toContain('hedging 0.15');
    expect(changed.weights).toMatchObject({ hedging: 0.15 });
  });

  it('weights only the sub-scores that could be computed', () => {
    const sub = (score: number) => ({ score, inputs: {}, formula: '' });
    expect(overallOf({ risk: sub(40), capitalReturn: sub(90), inventory: null }, SCORING.weights)).toBe(65);
    expect(overallOf({}, SCORING.weights)).toBe(0);
  });
});

describe('README: how a run is scored', () => {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('### How a run is scored'),
    readme.indexOf('\n## ', readme.indexOf('### How a run is scored')),
  );
  it('lists each sub-score with its weight and the constants in use', () => {
    expect(section.length).toBeGreaterThan(100);
    for (const name of SUB_SCORES) expect(section).toContain(`\`${name}\` (weight ${SCORING.weights[name]})`);
    expect(section).toContain(`${SCORING.markoutHorizonSeconds} s`);
  });
});
