/**
 * Storage faults as answers a client can act on, instead of `500 internal
 * error`: the database file's disk is full (507), read-only, unopenable or
 * failing (503), or briefly locked (503, retry in a second). SQLite rolls
 * the transaction back, so nothing of the request was written; the server
 * keeps running and the next request succeeds once the fault is gone.
 */

export interface StorageFault {
  status: 503 | 507;
  /** Chinese first (the users' language), then English. */
  error: string;
  retryAfter?: number;
}

function sqliteCode(err: unknown): string | null {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return e.code;
    // D1 reports SQLite's errors in the message.
    const m = typeof e.message === 'string' ? /\b(SQLITE_[A-Z_]+)\b/.exec(e.message) : null;
    if (m) return m[1]!;
  }
  return null;
}

/** The answer for a storage fault, or null when `err` is something else. */
export function storageFault(err: unknown): StorageFault | null {
  const code = sqliteCode(err);
  if (!code) return null;
  if (code === 'SQLITE_FULL') return { status: 507, error: '服务器存储空间已满，本次提交未保存，请联系系统管理员。(storage full: nothing was saved)' };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { status: 503, error: '数据库繁忙，本次操作未保存，请稍后重试。(database busy: nothing was saved, retry)', retryAfter: 1 };
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PERM' || code === 'SQLITE_NOLFS') {
    return { status: 503, error: '数据库暂时无法写入（只读或磁盘故障），本次操作未保存，请联系系统管理员。(storage unavailable: nothing was saved)', retryAfter: 30 };
  }
  return null;
}
