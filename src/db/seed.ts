import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { accounts, units } from './schema.js';
import type * as schema from './schema.js';
import { all, programDb, run, runSync, type Program, type StoreDb } from '../store/program.js';

/** The default matrix of PRODUCT.md: units and the accounts they run. */
export const DEFAULT_MATRIX: ReadonlyArray<{ account: string; platform: 'wechat' | 'weibo'; unit: string; lead?: boolean }> = [
  { account: '人社官微', platform: 'wechat', unit: '局宣教中心', lead: true },
  { account: '上海人社微博', platform: 'weibo', unit: '局宣教中心', lead: true },
  { account: '上海社保', platform: 'wechat', unit: '市社保中心' },
  { account: '乐业上海', platform: 'wechat', unit: '市就促中心' },
  { account: '海纳百创', platform: 'wechat', unit: '市人力资源服务中心' },
  { account: '上海人力资源', platform: 'wechat', unit: '市人力资源服务中心' },
  { account: '上海12333热线', platform: 'wechat', unit: '局咨询中心' },
  { account: '上海世界技能博物馆', platform: 'wechat', unit: '世界技能博物馆' },
];

/** Inserts the default units and accounts when the database has none. Idempotent. A program (src/store/program.ts), so the Worker seeds D1 with the same code. */
export function* seedDefaults$(db: StoreDb): Program<void> {
  const existing = yield* all(db.select({ id: accounts.id }).from(accounts).limit(1));
  if (existing.length > 0) return;
  const unitIds = new Map<string, number>();
  for (const row of DEFAULT_MATRIX) {
    if (!unitIds.has(row.unit)) {
      const [u] = yield* all(db.insert(units).values({ name: row.unit }).onConflictDoNothing().returning());
      unitIds.set(row.unit, u!.id);
    }
    yield* run(
      db
        .insert(accounts)
        .values({ name: row.account, platform: row.platform, unitId: unitIds.get(row.unit)!, lead: row.lead ?? false, joinedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` })
        .onConflictDoNothing(),
    );
  }
}

/** seedDefaults$ on better-sqlite3, in one transaction (client.ts calls it when it opens the database). */
export function seedDefaults(db: BetterSQLite3Database<typeof schema>): void {
  runSync(db, seedDefaults$(programDb(db)));
}
