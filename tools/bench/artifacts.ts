import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ARTIFACTS = resolve(__dirname, '../../artifacts');

/** Writes a bench's report or log to artifacts/<file> (the folder made when missing). */
export function writeArtifact(file: string, text: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, file), text);
}
