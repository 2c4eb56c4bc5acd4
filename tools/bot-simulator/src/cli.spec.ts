import { parseArgs, parseDuration } from './cli';
import { Histogram } from './stats';

describe('command line', () => {
  it('reads options and defaults from the environment', () => {
    const options = parseArgs(['--bots', '5', '--speed=60', '--duration', '2m', '--seed', 'abc'], {
      POLYMAKER_URL: 'http://cc:3000/',
      POLYMAKER_API_KEY: 'k'.repeat(20),
    });
    expect(options).toMatchObject({
      bots: 5,
      speed: 60,
      durationSec: 120,
      seed: 'abc',
      url: 'http://cc:3000/',
      key: 'k'.repeat(20),
    });
  });

  it('rejects bad values with a clear message', () => {
    expect(() => parseArgs(['--bots', '0'], {})).toThrow('--bots must be a positive whole number');
    expect(() => parseArgs(['--duration', 'soon'], {})).toThrow('--duration');
    expect(() => parseArgs(['--nope'], {})).toThrow('unknown option');
    expect(() => parseArgs(['--url', 'localhost:3000'], {})).toThrow('--url');
  });

  it('reads a fleet with keys of its own and tags', () => {
    const options = parseArgs(['--keys', '4', '--tags', 'VPS-1, vps-2', '--admin-key', 'a'.repeat(20)], {});
    expect(options).toMatchObject({ keys: 4, bots: 4, tags: ['vps-1', 'vps-2'], adminKey: 'a'.repeat(20) });
    expect(parseArgs(['--keys', '2', '--bots', '6'], {}).bots).toBe(6);
    expect(() => parseArgs(['--tags', 'x'], {})).toThrow('--tags needs --keys');
    expect(() => parseArgs(['--keys', '2', '--tags', 'no spaces'], {})).toThrow('is not a tag');
  });

  it('reads a run length in simulated time, at least a minute', () => {
    expect(parseArgs(['--run-length', '20m'], {}).runLengthSec).toBe(1200);
    expect(parseArgs([], {}).runLengthSec).toBeUndefined();
    expect(() => parseArgs(['--run-length', '30s'], {})).toThrow('--run-length must be at least 1m');
  });

  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('500ms')).toBe(0.5);
  });
});

describe('latency histogram', () => {
  it('gives percentiles within 2%', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10);
    expect(h.percentile(0.5) / 50).toBeGreaterThan(0.98);
    expect(h.percentile(0.5) / 50).toBeLessThan(1.02);
    expect(h.percentile(0.99) / 99).toBeLessThan(1.02);
    expect(h.percentile(1)).toBe(100);
    expect(h.count).toBe(1000);
  });
});
