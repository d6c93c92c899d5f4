/**
 * The connection's statement cache (src/db/client.ts): the same SQL gets the
 * same prepared statement back, reset to its default modes, so a pluck or raw
 * call by one caller never changes what the next one reads.
 */
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { tempDir } from '../helpers/db.js';

describe('statement cache', () => {
  it('reuses a statement by its SQL and resets pluck and raw modes', () => {
    const db = openDb(tempDir());
    const sql = 'SELECT name, platform FROM accounts ORDER BY id LIMIT 1';
    const a = db.$client.prepare(sql);
    const first = a.pluck().get();
    expect(typeof first).toBe('string');
    const b = db.$client.prepare(sql);
    expect(b).toBe(a);
    expect(b.get()).toEqual({ name: first, platform: expect.any(String) });
    expect(db.$client.prepare(sql).raw().get()).toEqual([first, expect.any(String)]);
    expect(db.$client.prepare(sql).get()).toMatchObject({ name: first });
    // Writes through the cache still see the schema and the data as they are.
    db.$client.prepare('CREATE TABLE t (x)').run();
    db.$client.prepare('INSERT INTO t VALUES (?)').run(1);
    db.$client.prepare('INSERT INTO t VALUES (?)').run(2);
    expect(db.$client.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2);
    db.$client.close();
  });
});
