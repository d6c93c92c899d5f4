/**
 * The Cloudflare Worker: the same Hono app as the Node server (createApp) on
 * the async store, cleanup and rules over D1 (drizzle's D1 driver, writes
 * batched into db.batch), plus the two handlers Node runs in-process:
 *
 * - `queue`: machine review. Submissions write an outbox row with the
 *   post (the store programs); after every request that may have written one, the
 *   Worker reads the due rows (outbox programs), sends them to the Queue and
 *   marks them dispatched (ctx.waitUntil). The consumer runs the shared
 *   processor (processMachineReviewJob) with the rule engine and hands the
 *   result to the async store, which applies it idempotently.
 * - `scheduled` (Cron Trigger): the Ticker (publish due posts, freshness
 *   alerts, the daily cleanup run), cleanup batches through processPending
 *   with the shared rescan processor, and outbox rows lost on the way to the
 *   Queue sent again.
 *
 * The classifier does not run on Workers (see README, "Deploy to Cloudflare
 * Workers"): machine review is rules only, every result records
 * `classifierSkipped: CLASSIFIER_UNAVAILABLE` (shown as `rulesOnly` in the
 * API and the UI), and, as on Node, nothing is published without human approval.
 *
 * Everything that differs from Node is in src/edge/: this file and runtime.ts (bindings),
 * packs.ts (rule packs bundled as text) and shims/ (native modules replaced
 * by WASM/JS through wrangler's [alias]).
 */
import { appFor, consume, cron, dispatchOutbox, ensureSeeded, type Env, type ExecutionContext, type MessageBatch, type ReviewMessage, type ScheduledController } from './runtime.js';

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    await ensureSeeded(env);
    const res = await appFor(env).fetch(request, env, ctx as never);
    // A write that succeeded may have added outbox rows (submit, new version): hand them to the Queue.
    if (!READ_ONLY.has(request.method) && res.status < 400) ctx.waitUntil(dispatchOutbox(env).catch((err) => console.error(`lastgate: outbox dispatch failed: ${(err as Error).message}`)));
    return res;
  },

  async queue(batch: MessageBatch<ReviewMessage>, env: Env): Promise<void> {
    await consume(batch, env);
  },

  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(
      cron(env, () => new Date(controller.scheduledTime)).then(
        (r) => console.log(`lastgate: cron ${controller.cron}: published ${r.tick.published.length}, cleanup run ${r.tick.cleanupRun ?? '-'}, ${r.cleanupBatches} cleanup batches, ${r.dispatched} reviews queued`),
        (err) => console.error(`lastgate: cron ${controller.cron} failed: ${(err as Error).message}`),
      ),
    );
  },
};
