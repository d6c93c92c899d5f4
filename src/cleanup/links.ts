/**
 * Link checks for published posts: every http(s) URL in the text is fetched
 * (HEAD, then GET when HEAD is refused) with a timeout, redirects followed by
 * hand so that a redirect to another site is seen, at most `concurrency`
 * requests at once and at most one request per host every `perHostMs`.
 */

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
  | { kind: 'redirect_offsite'; status: number; location: string };

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

export interface LinkCheckerOptions {
  timeoutMs?: number;
  concurrency?: number;
  perHostMs?: number;
  maxRedirects?: number;
}

export class LinkChecker {
  private active = 0;
  private waiting: Array<() => void> = [];
  private nextSlot = new Map<string, number>();
  private cache = new Map<string, Promise<LinkProblem>>();
  private readonly o: Required<LinkCheckerOptions>;

  constructor(opts: LinkCheckerOptions = {}) {
    this.o = { timeoutMs: opts.timeoutMs ?? 8000, concurrency: opts.concurrency ?? 8, perHostMs: opts.perHostMs ?? 250, maxRedirects: opts.maxRedirects ?? 5 };
  }

  /** Checks each distinct URL once per checker. */
  check(url: string): Promise<LinkProblem> {
    let p = this.cache.get(url);
    if (!p) {
      p = this.limited(() => this.follow(url));
      this.cache.set(url, p);
    }
    return p;
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

  private async request(url: string, method: 'HEAD' | 'GET'): Promise<Response> {
    await this.politeness(new URL(url).host);
    const res = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(this.o.timeoutMs), headers: { 'user-agent': 'lastgate-link-check/1' } });
    await res.body?.cancel().catch(() => undefined);
    return res;
  }

  private async follow(start: string): Promise<LinkProblem> {
    const origin = siteOf(new URL(start).hostname);
    let url = start;
    try {
      for (let hop = 0; hop <= this.o.maxRedirects; hop++) {
        let res = await this.request(url, 'HEAD');
        if (res.status === 405 || res.status === 501) res = await this.request(url, 'GET');
        if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
          const next = new URL(res.headers.get('location')!, url).href;
          if (siteOf(new URL(next).hostname) !== origin) return { kind: 'redirect_offsite', status: res.status, location: next };
          url = next;
          continue;
        }
        return res.status >= 400 ? { kind: 'http_error', status: res.status } : { kind: 'ok', status: res.status };
      }
      return { kind: 'unreachable', message: `more than ${this.o.maxRedirects} redirects` };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'timeout' };
      const code = e.cause?.code ?? '';
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', message: code };
      return { kind: 'unreachable', message: e.cause?.message ?? e.message };
    }
  }
}
