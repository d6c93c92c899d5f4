import type { SqliteStore } from '../../src/service/sqlite.js';
import type { Actor } from '../../src/users/actor.js';
import { result } from './db.js';

/**
 * Takes a post through the whole lifecycle on the store (machine review applied
 * as a clean result, one reviewer's approval) and publishes it.
 */
export async function publishThrough(store: SqliteStore, editor: Actor, reviewer: Actor, post: { account: string; body: string; title?: string }): Promise<string> {
  const p = await store.submitPost(editor, post);
  const versionId = store.db.$client.prepare('SELECT id FROM post_versions WHERE post_id = ? ORDER BY version DESC LIMIT 1').pluck().get(p.id) as number;
  store.applyMachineReview(versionId, result());
  const task = (await store.listTasks(reviewer, { postId: p.id, limit: 1 }))[0]!;
  await store.decide(reviewer, task.id, { decision: 'approve' });
  await store.publish(editor, p.id, { url: `https://mp.weixin.qq.com/s/${p.id}` });
  return p.id;
}
