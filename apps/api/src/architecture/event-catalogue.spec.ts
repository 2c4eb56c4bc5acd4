import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiSources, ROOT, SourceFile } from './source-scan';

/** The live stream relays every event (it subscribes to all of them at once). */
const RELAYS_ALL = 'live';

interface Wiring {
  emitters: Set<string>;
  listeners: Set<string>;
}

/** Event classes of the catalogue, with their wire names. */
function catalogue(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'libs/api/core/src/events/domain-events.ts'), 'utf8');
  const events = new Map<string, string>();
  for (const match of text.matchAll(
    /export class (\w+Event) extends DomainEvent \{\s*static readonly eventName = '([a-z.-]+)'/g,
  )) {
    events.set(match[1], match[2]);
  }
  return events;
}

/**
 * Who emits an event (constructs it) and who listens (`@OnEvent(XEvent.eventName)` after the commit,
 * `uow.listenInTransaction(XEvent.eventName, ...)` inside it), read from the code.
 */
function wiring(files: SourceFile[], events: Map<string, string>): Map<string, Wiring> {
  const result = new Map<string, Wiring>();
  for (const [cls, name] of events) {
    const wired: Wiring = { emitters: new Set(), listeners: new Set([RELAYS_ALL]) };
    for (const file of files) {
      if (!file.lib || file.path.endsWith('core/src/events/domain-events.ts')) continue;
      if (new RegExp(`new ${cls}\\(`).test(file.text)) wired.emitters.add(file.lib);
      if (new RegExp(`(OnEvent|listenInTransaction)(<\\w+>)?\\(\\s*${cls}\\.eventName`).test(file.text))
        wired.listeners.add(file.lib);
    }
    result.set(name, wired);
  }
  return result;
}

/** The README's event table: `| \`name\` | emitters | listeners | payload |`, library names in the middle columns. */
function readmeTable(libs: Set<string>): Map<string, Wiring> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /### Domain events\n([\s\S]*?)\n### /.exec(readme)?.[1] ?? '';
  const rows = new Map<string, Wiring>();
  const libsIn = (cell: string) =>
    new Set((cell.match(/[a-z][a-z-]*/g) ?? []).filter((word) => libs.has(word)));
  for (const match of section.matchAll(/^\| `([a-z.-]+)` \| ([^|]*) \| ([^|]*) \|/gm)) {
    rows.set(match[1], { emitters: libsIn(match[2]), listeners: libsIn(match[3]) });
  }
  return rows;
}

const sorted = (wiring: Map<string, Wiring>) =>
  Object.fromEntries(
    [...wiring]
      .sort()
      .map(([name, w]) => [name, { emitters: [...w.emitters].sort(), listeners: [...w.listeners].sort() }]),
  );

describe('domain events: the README catalogue matches the code', () => {
  const files = apiSources();
  const events = catalogue();
  const libs = new Set(readdirSync(join(ROOT, 'libs/api')));

  it('reads the catalogue and its wiring from the code', () => {
    expect(events.size).toBeGreaterThanOrEqual(12);
    const code = wiring(files, events);
    // every event is emitted somewhere, or it is dead weight in the catalogue
    expect([...code].filter(([, w]) => w.emitters.size === 0).map(([name]) => name)).toEqual([]);
  });

  it('names, for each event, who emits it and who listens, as the code does', () => {
    expect(sorted(readmeTable(libs))).toEqual(sorted(wiring(files, events)));
  });

  it('the scan sees a listener and an emitter (the test can fail)', () => {
    const planted: SourceFile[] = [
      {
        path: 'libs/api/runs/src/x.ts',
        lib: 'runs',
        text: "this.uow.publish(new RunStartedEvent(1, 2, null, 'live'));",
      },
      {
        path: 'libs/api/wallet/src/y.ts',
        lib: 'wallet',
        text: '@OnEvent(RunStartedEvent.eventName) on() {}',
      },
    ];
    const w = wiring(planted, new Map([['RunStartedEvent', 'run.started']])).get('run.started');
    expect({ emitters: [...(w?.emitters ?? [])], listeners: [...(w?.listeners ?? [])].sort() }).toEqual({
      emitters: ['runs'],
      listeners: ['live', 'wallet'],
    });
  });
});
