import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';

/** The repository root, from apps/api/src/architecture. */
export const ROOT = join(__dirname, '../../../..');

export interface SourceFile {
  /** Path from the repository root, with forward slashes. */
  path: string;
  /** The domain library it belongs to (`runs` for libs/api/runs/...), or null outside libs/api. */
  lib: string | null;
  text: string;
}

/** Every non-test TypeScript file of the API's libraries and app, migrations excluded (they own every table). */
export function apiSources(): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'migrations' && name !== 'node_modules') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) {
        const rel = relative(ROOT, path).split(sep).join('/');
        files.push({ path: rel, lib: libOf(rel), text: readFileSync(path, 'utf8') });
      }
    }
  };
  for (const lib of readdirSync(join(ROOT, 'libs/api'))) {
    const src = join(ROOT, 'libs/api', lib, 'src');
    if (statSync(join(ROOT, 'libs/api', lib)).isDirectory()) walk(src);
  }
  walk(join(ROOT, 'apps/api/src'));
  return files;
}

export function libOf(path: string): string | null {
  const match = /^libs\/api\/([^/]+)\//.exec(path);
  return match ? match[1] : null;
}

/** The text of every string and template literal of a file (template parts joined with a placeholder). */
export function stringLiterals(text: string): string[] {
  const source = ts.createSourceFile('scan.ts', text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node))
      found.push([node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ? '));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Identifiers used in a file (type and value positions), for entity class names. */
export function identifiers(text: string): Set<string> {
  const source = ts.createSourceFile('scan.ts', text, ts.ScriptTarget.Latest, true);
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const SQL_TABLE = /\b(?:from|join|into|update|table|using)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi;
const SQL_HINT = /\b(select|insert|update|delete|create|alter|with)\b/i;

/** A monthly or DEFAULT partition is named after its parent (`trades_y2026m12`, `trades_default`). */
const PARTITION = /^([a-z_][a-z0-9_]*?)_(?:y\d{4}m\d{2}|default)$/;

/**
 * Table names a literal names in SQL position (`from x`, `join x`, `into x`, `update x`, ...); a
 * partition counts as its parent table, whose owner alone may name it.
 */
export function tablesNamedIn(literal: string, known: ReadonlySet<string>): string[] {
  if (!SQL_HINT.test(literal)) return [];
  const names: string[] = [];
  for (const match of literal.matchAll(SQL_TABLE)) {
    const name = match[1].toLowerCase();
    const parent = PARTITION.exec(name)?.[1];
    if (known.has(name)) names.push(name);
    else if (parent && known.has(parent)) names.push(parent);
  }
  return names;
}

/** Every table a migration creates. */
export function migrationTables(): Set<string> {
  const dir = join(ROOT, 'libs/api/core/src/database/migrations');
  const tables = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.ts')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    for (const match of text.matchAll(/create table (?:if not exists )?"?([a-z_][a-z0-9_]*)"?/gi))
      tables.add(match[1].toLowerCase());
    for (const match of text.matchAll(/drop table (?:if exists )?"?([a-z_][a-z0-9_]*)"?/gi))
      tables.delete(match[1].toLowerCase());
  }
  return tables;
}
