import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiSources,
  identifiers,
  migrationTables,
  ROOT,
  SourceFile,
  stringLiterals,
  tablesNamedIn,
} from './source-scan';
import { TABLE_OWNERS } from './table-owners';

/** Where an entity class may be named besides its own library: the ORM's list of entities. */
const ENTITY_REGISTRY = 'apps/api/src/entities.ts';

interface Violation {
  path: string;
  table: string;
  owner: string;
}

const KNOWN = new Set(Object.keys(TABLE_OWNERS));

function sqlViolations(files: SourceFile[]): Violation[] {
  const found: Violation[] = [];
  for (const file of files) {
    for (const literal of stringLiterals(file.text)) {
      for (const table of tablesNamedIn(literal, KNOWN)) {
        if (TABLE_OWNERS[table] !== file.lib)
          found.push({ path: file.path, table, owner: TABLE_OWNERS[table] });
      }
    }
  }
  return found;
}

/** Entity classes by name, with the table they map and the library that declares them. */
function entities(files: SourceFile[]): { name: string; table: string; lib: string | null; path: string }[] {
  const found: { name: string; table: string; lib: string | null; path: string }[] = [];
  for (const file of files) {
    for (const match of file.text.matchAll(
      /@Entity\(\{\s*tableName:\s*'([a-z_]+)'[^)]*\)(?:\s*@\w+\([^\n]*\))*\s*export class (\w+)/g,
    )) {
      found.push({ table: match[1], name: match[2], lib: file.lib, path: file.path });
    }
  }
  return found;
}

describe('table ownership: each module is the only code that reads or writes its tables', () => {
  const files = apiSources();

  it('every table the migrations create has an owner', () => {
    const unowned = [...migrationTables()].filter((table) => !KNOWN.has(table));
    expect(unowned).toEqual([]);
  });

  it("no SQL names another module's table", () => {
    const violations = sqlViolations(files).map((v) => `${v.path} names ${v.table} (owned by ${v.owner})`);
    expect(violations).toEqual([]);
  });

  it('each entity lives in the library that owns its table and is used nowhere else', () => {
    const declared = entities(files);
    expect(declared.length).toBeGreaterThanOrEqual(10);
    const misplaced = declared
      .filter((entity) => TABLE_OWNERS[entity.table] !== entity.lib)
      .map((e) => `${e.path}: ${e.name} maps ${e.table}`);
    expect(misplaced).toEqual([]);
    const usedElsewhere: string[] = [];
    for (const file of files) {
      if (file.path === ENTITY_REGISTRY) continue;
      const names = identifiers(file.text);
      for (const entity of declared) {
        if (entity.lib !== file.lib && names.has(entity.name))
          usedElsewhere.push(`${file.path} uses ${entity.name} (entity of ${entity.lib})`);
      }
    }
    expect(usedElsewhere).toEqual([]);
  });

  it('the scan finds a planted violation (the test can fail)', () => {
    const planted: SourceFile = {
      path: 'libs/api/wallet/src/planted.ts',
      lib: 'wallet',
      text: "const q = `select r.id from runs r join trades t on t.run_id = r.id where r.id = ${1}`; const own = 'select * from wallet_readings';",
    };
    expect(
      sqlViolations([planted])
        .map((v) => v.table)
        .sort(),
    ).toEqual(['runs', 'trades']);
    // a partition is its parent's: naming trades_y2026m12 or run_metric_points_default outside their owners is a violation
    const partitions = {
      ...planted,
      text: "const q = 'select count(*) from trades_y2026m12'; const p = 'delete from run_metric_points_default';",
    };
    expect(
      sqlViolations([partitions])
        .map((v) => v.table)
        .sort(),
    ).toEqual(['run_metric_points', 'trades']);
    // prose in comments is not SQL
    expect(sqlViolations([{ ...planted, text: '// reads from runs, then updates trades' }])).toEqual([]);
  });

  it("the README's table of owners matches the code", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = /### Table ownership\n([\s\S]*?)\n### /.exec(readme)?.[1] ?? '';
    const rows = new Map<string, string>();
    for (const match of section.matchAll(/^\| ([a-z-]+) \| ((?:`[a-z_]+`(?:, )?)+) \|/gm)) {
      for (const table of match[2].match(/[a-z_]+/g) ?? []) rows.set(table, match[1]);
    }
    expect(Object.fromEntries([...rows].sort())).toEqual(
      Object.fromEntries(Object.entries(TABLE_OWNERS).sort()),
    );
  });
});
