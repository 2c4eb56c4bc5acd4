import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000 } from './Migration20261124000000';
import { Migration20261201000000 } from './Migration20261201000000';
import { Migration20261202000000 } from './Migration20261202000000';
import { Migration20261203000100 } from './Migration20261203000100';
import { Migration20261203000150 } from './Migration20261203000150';
import { Migration20261203000200 } from './Migration20261203000200';
import { Migration20261203000300 } from './Migration20261203000300';
import { Migration20261204000500 } from './Migration20261204000500';
import { Migration20261209000200 } from './Migration20261209000200';
import { Migration20261210000000 } from './Migration20261210000000';
import { Migration20261210000100 } from './Migration20261210000100';
import { Migration20261211000000 } from './Migration20261211000000';
import { Migration20261211000100 } from './Migration20261211000100';
import { Migration20261211000200 } from './Migration20261211000200';
import { Migration20261211000300 } from './Migration20261211000300';
import { Migration20261212000300 } from './Migration20261212000300';
import { Migration20261212000400 } from './Migration20261212000400';
import { Migration20261213000100 } from './Migration20261213000100';
import { Migration20261213000200 } from './Migration20261213000200';
import { Migration20261213000500 } from './Migration20261213000500';

/** Every migration, listed statically so they run from the webpack bundle. Append new ones. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000000', class: Migration20261124000000 },
  { name: 'Migration20261201000000', class: Migration20261201000000 },
  { name: 'Migration20261202000000', class: Migration20261202000000 },
  { name: 'Migration20261203000100', class: Migration20261203000100 },
  { name: 'Migration20261203000150', class: Migration20261203000150 },
  { name: 'Migration20261203000200', class: Migration20261203000200 },
  { name: 'Migration20261203000300', class: Migration20261203000300 },
  { name: 'Migration20261204000500', class: Migration20261204000500 },
  { name: 'Migration20261209000200', class: Migration20261209000200 },
  { name: 'Migration20261210000000', class: Migration20261210000000 },
  { name: 'Migration20261210000100', class: Migration20261210000100 },
  { name: 'Migration20261211000000', class: Migration20261211000000 },
  { name: 'Migration20261211000100', class: Migration20261211000100 },
  { name: 'Migration20261211000200', class: Migration20261211000200 },
  { name: 'Migration20261211000300', class: Migration20261211000300 },
  { name: 'Migration20261212000300', class: Migration20261212000300 },
  { name: 'Migration20261212000400', class: Migration20261212000400 },
  { name: 'Migration20261213000100', class: Migration20261213000100 },
  { name: 'Migration20261213000200', class: Migration20261213000200 },
  { name: 'Migration20261213000500', class: Migration20261213000500 },
];
