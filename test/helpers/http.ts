/** A tiny JSON client for the lastgate API. */
export function client(base: string, token?: string) {
  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    raw: (path: string, raw: string) => call('POST', path, undefined, raw),
  };
}

/** Polls `fn` until it returns a truthy value. */
export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Signs in to the reviewer UI with an API token and returns the `cookie`
 * header of the server-side session it opens. `request` is `fetch` bound to a
 * base URL, or a Hono app's `request`.
 */
export async function uiSession(request: (path: string, init: RequestInit) => Promise<Response> | Response, token: string): Promise<string> {
  const res = await request('/ui/login', { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  const set = res.headers.get('set-cookie') ?? '';
  const m = /lastgate_session=[^;]+/.exec(set);
  if (res.status !== 303 || !m) throw new Error(`sign-in failed: ${res.status} ${set}`);
  return m[0];
}
