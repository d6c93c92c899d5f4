/**
 * The API document as clients read it: every operation has a summary and a
 * tag, and every JSON response schema is typed all the way down (no `{}`, no
 * passthrough objects). The suite runs with LASTGATE_CHECK_RESPONSES=1
 * (vitest.config.ts), so every answer a test gets from a real server is also
 * checked against these schemas.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { SqliteStore } from '../../src/service/sqlite.js';
import { openDb } from '../../src/db/client.js';
import { tempDir } from '../helpers/db.js';

type Schema = Record<string, any>;

/** Places in a schema that do not say what they hold. */
function loosePlaces(s: Schema | undefined, at: string, out: string[]) {
  if (!s || s.$ref) return;
  const alts = s.anyOf ?? s.oneOf ?? s.allOf;
  if (alts) {
    for (const x of alts) loosePlaces(x, at, out);
    return;
  }
  if (s.enum || 'const' in s) return;
  if (!s.type) return void out.push(`${at}: untyped`);
  const types = ([] as string[]).concat(s.type);
  if (types.includes('array')) loosePlaces(s.items, `${at}[]`, out);
  if (types.includes('object')) {
    const extra = s.additionalProperties;
    if (!s.properties && (extra === undefined || extra === true)) out.push(`${at}: object without properties`);
    if (extra && typeof extra === 'object') {
      if (Object.keys(extra).length === 0) out.push(`${at}: passthrough`);
      else loosePlaces(extra, `${at}{*}`, out);
    }
    for (const [k, v] of Object.entries(s.properties ?? {})) loosePlaces(v as Schema, `${at}.${k}`, out);
  }
}

describe('the OpenAPI document', () => {
  it('gives every operation a summary and a tag and every JSON response a full schema', async () => {
    const app = createApp({ store: new SqliteStore(openDb(tempDir())) as never });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Schema>>; components?: { schemas?: Record<string, Schema> } };
    const problems: string[] = [];
    for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) loosePlaces(s, `#${name}`, problems);
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        const id = `${method.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${id}: no summary`);
        if (!op.tags?.length) problems.push(`${id}: no tags`);
        for (const [status, r] of Object.entries<Schema>(op.responses ?? {})) loosePlaces(r.content?.['application/json']?.schema, `${id} ${status}`, problems);
      }
    }
    expect(operations).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('finds a loose schema when there is one', () => {
    const out: string[] = [];
    loosePlaces({ type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: {} } }, x: {} } }, 'S', out);
    expect(out).toEqual(['S.items[]: passthrough', 'S.x: untyped']);
  });
});
