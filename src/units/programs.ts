/**
 * Responsible units (局宣教中心, 市社保中心, …): the units that run the
 * matrix's accounts. Everyone signed in may list them; only an admin (or the
 * operator at the shell, actor null) adds or renames one. Every change is
 * audited.
 */
import { eq, sql } from 'drizzle-orm';
import { units } from '../db/schema.js';
import { appendAudit$ } from '../audit/log.js';
import { DomainError } from '../store/errors.js';
import { all, get, rows, run, type Program, type StoreDb } from '../store/program.js';
import type { StoreContext } from '../store/context.js';
import type { Actor } from '../users/actor.js';

export interface UnitView {
  id: number;
  name: string;
  /** Accounts of the unit in use. */
  accounts: number;
  /** Retired accounts of the unit. */
  retiredAccounts: number;
}

export const MAX_NAME_CHARS = 100;

/**
 * Who changes the matrix: an admin, or null for the operator with shell access
 * (the CLI), who is trusted as an admin and audited with actor null.
 */
export type MatrixActor = Actor | null;

/** Refuses anyone but an admin (or the operator, null). */
export function requireAdmin(actor: MatrixActor, what: string, zh: string): void {
  if (actor && actor.role !== 'admin') throw new DomainError('forbidden', `only an admin may ${what}`, undefined, `只有管理员可以${zh}`);
}

/** A trimmed, non-empty name of at most MAX_NAME_CHARS characters without control characters. */
export function checkName(raw: unknown, field: string, zhWhat: string): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name) throw new DomainError('invalid', `${field} must not be empty`, field, `${zhWhat}不能为空`);
  if (name.length > MAX_NAME_CHARS) throw new DomainError('invalid', `${field} has more than ${MAX_NAME_CHARS} characters`, field, `${zhWhat}不能超过 ${MAX_NAME_CHARS} 个字`);
  if (/[\u0000-\u001F\u007F]/.test(name) || !name.isWellFormed()) throw new DomainError('invalid', `${field} contains control characters`, field, `${zhWhat}含有控制字符`);
  return name;
}

/** The unit of this name, or a 400 naming `field`. */
export function* unitByName$(db: StoreDb, name: string, field = 'unit'): Program<{ id: number; name: string }> {
  const u = yield* get(db.select().from(units).where(eq(units.name, name)));
  if (!u) throw new DomainError('invalid', `unknown unit: ${name}`, field, `没有名为「${name}」的单位`);
  return u;
}

export function unitPrograms({ db, now }: StoreContext) {
  function* unitViews(): Program<UnitView[]> {
    const f = {
      id: sql<number>`u.id`,
      name: sql<string>`u.name`,
      accounts: sql<number>`(SELECT count(*) FROM accounts a WHERE a.unit_id = u.id AND a.retired_at IS NULL)`,
      retiredAccounts: sql<number>`(SELECT count(*) FROM accounts a WHERE a.unit_id = u.id AND a.retired_at IS NOT NULL)`,
    };
    return yield* rows(f, db.select(f).from(sql`units u`).orderBy(sql`u.id`));
  }

  function* unitView(id: number): Program<UnitView> {
    return (yield* unitViews()).find((u) => u.id === id)!;
  }

  function* refuseDuplicate(name: string, exceptId?: number): Program<void> {
    const other = yield* get(db.select({ id: units.id }).from(units).where(eq(units.name, name)));
    if (other && other.id !== exceptId) throw new DomainError('conflict', `a unit named ${name} already exists`, 'name', `已有名为「${name}」的单位`);
  }

  return {
    /** Every unit with how many accounts it runs, oldest first. */
    *listUnits(): Program<UnitView[]> {
      return yield* unitViews();
    },

    /** Adds a unit (admin). A name in use is 409. */
    *addUnit(actor: MatrixActor, input: { name: string }): Program<UnitView> {
      requireAdmin(actor, 'add units', '添加单位');
      const name = checkName(input.name, 'name', '单位名称');
      yield* refuseDuplicate(name);
      const [u] = yield* all(db.insert(units).values({ name }).returning());
      yield* appendAudit$(db, { actorId: actor?.id ?? null, action: 'unit.add', entityType: 'unit', entityId: String(u!.id), data: { name } }, now());
      return yield* unitView(u!.id);
    },

    /** Renames a unit, given by id or by its current name (admin). Unknown: 404; a name in use: 409. */
    *renameUnit(actor: MatrixActor, unit: number | string, input: { name: string }): Program<UnitView> {
      requireAdmin(actor, 'rename units', '修改单位名称');
      const name = checkName(input.name, 'name', '单位名称');
      const u = yield* get(db.select().from(units).where(typeof unit === 'number' ? eq(units.id, unit) : eq(units.name, unit)));
      if (!u) throw new DomainError('not_found', `unknown unit: ${unit}`, undefined, `没有找到单位「${unit}」`);
      if (u.name !== name) {
        yield* refuseDuplicate(name, u.id);
        yield* run(db.update(units).set({ name }).where(eq(units.id, u.id)));
        yield* appendAudit$(db, { actorId: actor?.id ?? null, action: 'unit.rename', entityType: 'unit', entityId: String(u.id), data: { from: u.name, to: name } }, now());
      }
      return yield* unitView(u.id);
    },
  };
}
