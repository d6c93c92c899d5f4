/**
 * Link checks for published posts: every http(s) URL in the text is fetched
 * (HEAD, then GET when HEAD is refused) with a timeout, redirects followed by
 * hand so that a redirect to another site is seen, at most `concurrency`
 * requests at once and at most one request per host every `perHostMs`. On
 * Node every hop goes through link-guard.ts, which refuses internal and
 * reserved addresses without connecting; such a link is reported as
 * `blocked_address`. A result is reused for `resultTtlMs` (default six
 * hours), so the daily cleanup checks each link afresh.
 */
import type { lookup } from 'node:dns';
import type { BlockList } from 'node:net';
import type { HopResult } from './link-guard.js';

export interface LinkRef {
  url: string;
  start: number;
  end: number;
}

export type LinkProblem =
  | { kind: 'ok'; status: number }
  | { kind: 'http_error'; status: number }
  | { kind: 'dns'; message: string }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'redirect_offsite'; status: number; location: string }
  | { kind: 'blocked_address'; url: string; address: string; reason: string };

// Stops at whitespace, CJK text and the punctuation that ends a URL in Chinese prose.
const URL_RE = /https?:\/\/[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef<>"'()（）【】《》]+/giu;

export function findLinks(text: string): LinkRef[] {
  const out: LinkRef[] = [];
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0].replace(/[.,;:!?]+$/, '');
    try {
      url = new URL(url).href;
    } catch {
      continue;
    }
    out.push({ url, start: m.index!, end: m.index! + m[0].replace(/[.,;:!?]+$/, '').length });
  }
  return out;
}

/** The site a host belongs to, for "same site" comparisons (www.a.gov.cn ~ a.gov.cn). */
function siteOf(host: string): string {
  const parts = host.toLowerCase().replace(/^www\./, '').split('.');
  const twoLevel = ['gov.cn', 'com.cn', 'org.cn', 'edu.cn', 'net.cn'];
  const tail2 = parts.slice(-2).join('.');
  if (twoLevel.includes(tail2) && parts.length >= 3) return parts.slice(-3).join('.');
  return parts.slice(-2).join('.');
}

/** True when `host` is `domain` or one of its subdomains. */
export function hostAllowed(host: string, allowlist: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowlist.some((d) => h === d || h.endsWith(`.${d}`));
}

/** One request of a check: `method url`. */
export type LinkTransport = (url: URL, method: 'HEAD' | 'GET', timeoutMs: number) => Promise<HopResult>;

export interface LinkCheckerOptions {
  timeoutMs?: number;
  concurrency?: number;
  perHostMs?: number;
  maxRedirects?: number;
  /** How long a result is reused (default six hours). */
  resultTtlMs?: number;
  /** Internal addresses (IPs, CIDR ranges) an administrator lets checks reach (see link-guard.ts). */
  allowInternal?: readonly string[];
  /** Name resolution for the default transport (default: the system's, dns.lookup). */
  resolve?: typeof lookup;
  /**
   * How requests are made. Default: Node's http/https through the address
   * guard. The Cloudflare Worker passes `fetchTransport`: its requests leave
   * from Cloudflare's network, which cannot reach the bureau's.
   */
  transport?: LinkTransport;
}

/** Requests by `fetch`, for runtimes without node:http (Cloudflare Workers). */
export const fetchTransport: LinkTransport = async (url, method, timeoutMs) => {
  const res = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'lastgate-link-check/1' } });
  await res.body?.cancel().catch(() => undefined);
  return { status: res.status, location: res.headers.get('location') };
};

/** Node's http/https through the address guard, loaded when first used (the Worker bundle never loads it). */
function guardedTransport(allowInternal: readonly string[], resolve?: typeof lookup): LinkTransport {
  let ready: Promise<LinkTransport> | null = null;
  return async (url, method, timeoutMs) => {
    ready ??= import('./link-guard.js').then((g) => {
      const allow: BlockList | null = allowInternal.length > 0 ? g.internalAllowList(allowInternal) : null;
      return (u, m, t) => g.guardedRequest(u, m, t, allow, resolve);
    });
    return (await ready)(url, method, timeoutMs);
  };
}

export class LinkChecker {
  private active = 0;
  private waiting: Array<() => void> = [];
  private nextSlot = new Map<string, number>();
  private cache = new Map<string, { at: number; result: Promise<LinkProblem> }>();
  private readonly o: Required<Omit<LinkCheckerOptions, 'allowInternal' | 'transport' | 'resolve'>>;
  private readonly transport: LinkTransport;

  constructor(
    opts: LinkCheckerOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.o = { timeoutMs: opts.timeoutMs ?? 8000, concurrency: opts.concurrency ?? 8, perHostMs: opts.perHostMs ?? 250, maxRedirects: opts.maxRedirects ?? 5, resultTtlMs: opts.resultTtlMs ?? 6 * 3600_000 };
    this.transport = opts.transport ?? guardedTransport(opts.allowInternal ?? [], opts.resolve);
  }

  /** Checks a URL, or returns its result while it is younger than `resultTtlMs`. */
  check(url: string): Promise<LinkProblem> {
    const t = this.now();
    const hit = this.cache.get(url);
    if (hit && t - hit.at < this.o.resultTtlMs) return hit.result;
    const result = this.limited(() => this.follow(url));
    this.cache.set(url, { at: t, result });
    if (this.cache.size > 100_000) this.dropExpired(t);
    return result;
  }

  private dropExpired(t: number): void {
    for (const [u, e] of this.cache) if (t - e.at >= this.o.resultTtlMs) this.cache.delete(u);
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.o.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async politeness(host: string): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, slot + this.o.perHostMs);
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  private async request(url: string, method: 'HEAD' | 'GET'): Promise<HopResult> {
    const u = new URL(url);
    await this.politeness(u.host);
    return this.transport(u, method, this.o.timeoutMs);
  }

  private async follow(start: string): Promise<LinkProblem> {
    const origin = siteOf(new URL(start).hostname);
    let url = start;
    try {
      for (let hop = 0; hop <= this.o.maxRedirects; hop++) {
        let res = await this.request(url, 'HEAD');
        if (res.status === 405 || res.status === 501) res = await this.request(url, 'GET');
        if (res.status >= 300 && res.status < 400 && res.location) {
          const next = new URL(res.location, url).href;
          if (siteOf(new URL(next).hostname) !== origin) return { kind: 'redirect_offsite', status: res.status, location: next };
          url = next;
          continue;
        }
        return res.status >= 400 ? { kind: 'http_error', status: res.status } : { kind: 'ok', status: res.status };
      }
      return { kind: 'unreachable', message: `more than ${this.o.maxRedirects} redirects` };
    } catch (err) {
      const e = err as Error & { code?: string; address?: string; reason?: string; cause?: { code?: string; message?: string } };
      if (e.code === 'EADDRBLOCKED') return { kind: 'blocked_address', url, address: e.address!, reason: e.reason! };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'timeout' };
      const code = e.cause?.code ?? e.code ?? '';
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', message: code };
      return { kind: 'unreachable', message: e.cause?.message ?? e.message };
    }
  }
}
