import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open and nothing answers, as in a network partition. */
  pause(): void;
  resume(): void;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const { Redis } = await import('ioredis');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') {
        r.disconnect();
        return;
      }
    } catch {
      // not up yet
    }
    r.disconnect();
    if (Date.now() > until) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Starts a throwaway redis-server on a free loopback port (no persistence). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lastgate-redis-'));
  let proc: ChildProcess | null = null;
  const launch = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await waitForPing(port);
  };
  await launch();
  const stop = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGKILL');
    });
    proc = null;
  };
  const signal = (sig: NodeJS.Signals) => {
    const p = proc as ChildProcess | null;
    if (p && p.exitCode === null) p.kill(sig);
  };
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: launch, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT') };
}
