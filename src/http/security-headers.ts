/**
 * Security headers on every response. The reviewer workspace gets a strict
 * Content-Security-Policy: no script or style but its own inline sheet and
 * script (allowed by their SHA-256 hashes, so an injected `<script>` or
 * `style=` does nothing), requests and forms to this origin only, never
 * framed. The JSON API allows nothing at all. Web Crypto only, so the
 * Worker serves the same headers.
 */
import type { MiddlewareHandler } from 'hono';
import { UI_INLINE } from '../ui/layout.js';

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

let uiPolicy: Promise<string> | null = null;

/** The workspace's policy, computed once. */
export function uiContentSecurityPolicy(): Promise<string> {
  uiPolicy ??= Promise.all([sha256(UI_INLINE.script), sha256(UI_INLINE.style)]).then(([script, style]) =>
    [`default-src 'none'`, `script-src ${script}`, `style-src ${style}`, `img-src 'self' data:`, `connect-src 'self'`, `form-action 'self'`, `frame-ancestors 'none'`, `base-uri 'none'`].join('; '),
  );
  return uiPolicy;
}

export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Referrer-Policy', 'same-origin');
  h.set('X-Frame-Options', 'DENY');
  h.set('Cross-Origin-Opener-Policy', 'same-origin');
  h.set('Content-Security-Policy', c.req.path === '/ui' || c.req.path.startsWith('/ui/') ? await uiContentSecurityPolicy() : API_CSP);
};
