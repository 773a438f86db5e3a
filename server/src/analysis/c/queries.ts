// Tree-sitter queries live in server/queries/*.scm (shipped as dist/queries/*.scm), one concern
// per file, compiled once.
// eslint-disable-next-line no-restricted-imports -- reads only the query files shipped with bpf-assoc (dist/queries or server/queries), never workspace input
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Query } from 'web-tree-sitter';
import { grammar } from './parser';

const cache = new Map<string, Query>();

export function queryDir(): string {
  const beside = join(__dirname, 'queries');
  if (existsSync(beside)) return beside;
  return join(__dirname, '..', '..', '..', 'queries');
}

/** The compiled query `name` (file `name.scm`). Throws only on a broken query file, which a test catches. */
export function query(name: string): Query {
  let q = cache.get(name);
  if (!q) {
    q = new Query(grammar(), readFileSync(join(queryDir(), `${name}.scm`), 'utf8'));
    cache.set(name, q);
  }
  return q;
}

export function allQueryNames(): string[] {
  return readdirSync(queryDir())
    .filter((f) => f.endsWith('.scm'))
    .map((f) => f.slice(0, -4));
}
