/**
 * Checks every JSON answer of the API against what /openapi.json says it is,
 * strictly: an object may carry only the properties its schema lists (unless
 * the schema gives `additionalProperties` a schema of its own, as a record
 * does), every required property must be there, and a value the document
 * leaves untyped (`{}`) is itself a mismatch, so "fully typed" is something a
 * test run can refute. Statuses an operation does not document are
 * mismatches too, except those any route may answer (413 body limit, 5xx
 * faults).
 *
 * Used by the test suite (LASTGATE_CHECK_RESPONSES=1, set in
 * vitest.config.ts): every API test doubles as a check that the document is
 * complete and true. A mismatch answers 500 with what did not match. Web
 * APIs only, so the Worker could run it too.
 */
import type { MiddlewareHandler } from 'hono';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
};

export interface OpenApiDoc {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Where a value departs from its schema (`$.items[3].state: expected one of …`), or null when it conforms. */
export function mismatch(value: unknown, schema: Schema, doc: OpenApiDoc, at = '$'): string | null {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) return `${at}: unknown schema ${schema.$ref}`;
    return mismatch(value, target, doc, at);
  }
  if (schema.allOf) {
    for (const s of schema.allOf) {
      const m = mismatch(value, s, doc, at);
      if (m) return m;
    }
    return null;
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const misses = alternatives.map((s) => mismatch(value, s, doc, at));
    return misses.some((m) => m === null) ? null : (misses.find((m) => m && !m.endsWith(': expected null')) ?? misses[0] ?? `${at}: no alternative`);
  }
  if ('const' in schema) return value === schema.const ? null : `${at}: expected ${JSON.stringify(schema.const)}`;
  if (schema.enum) return schema.enum.includes(value) ? null : `${at}: ${JSON.stringify(value)} is not one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.nullable) types.push('null');
  if (types.length === 0) return `${at}: the document leaves this value untyped`;
  const actual = typeOf(value);
  if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return `${at}: expected ${types.join(' | ')}, got ${actual}`;
  if (actual === 'array') {
    if (!schema.items) return `${at}: the document leaves the items of this array untyped`;
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) {
      const m = mismatch(list[i], schema.items, doc, `${at}[${i}]`);
      if (m) return m;
    }
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = schema.properties ?? {};
    const extra = schema.additionalProperties;
    if (Object.keys(props).length === 0 && (extra === undefined || extra === true)) return `${at}: the document leaves the properties of this object untyped`;
    for (const key of schema.required ?? []) if (!(key in obj)) return `${at}.${key}: required but missing`;
    for (const [key, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const s = props[key] ?? (typeof extra === 'object' ? extra : undefined);
      if (!s) return `${at}.${key}: not in the document`;
      const m = mismatch(v, s, doc, `${at}.${key}`);
      if (m) return m;
    }
  }
  return null;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The documented path (`/api/posts/{id}`) a request path matches, if any. */
function matcher(paths: string[]): (path: string) => string | undefined {
  const compiled = paths.map((p) => ({ p, re: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`), literal: !p.includes('{') }));
  // Literal paths first: /api/accounts/freshness before /api/accounts/{name}.
  compiled.sort((a, b) => Number(b.literal) - Number(a.literal));
  return (path) => compiled.find((c) => c.re.test(path))?.p;
}

/** Statuses any route may answer without documenting them. */
const GLOBAL_STATUS = (status: number) => status === 413 || status >= 500;

/**
 * Middleware for the API: answers 500 with the mismatch when a JSON response
 * does not conform to the document `doc()` returns (read once, on first use).
 */
export function checkResponses(doc: () => OpenApiDoc): MiddlewareHandler {
  let cached: { doc: OpenApiDoc; match: (p: string) => string | undefined } | null = null;
  return async (c, next) => {
    await next();
    if (!c.req.path.startsWith('/api/') || GLOBAL_STATUS(c.res.status)) return;
    cached ??= (() => {
      const d = doc();
      return { doc: d, match: matcher(Object.keys(d.paths ?? {})) };
    })();
    const path = cached.match(c.req.path);
    const op = path ? cached.doc.paths?.[path]?.[c.req.method.toLowerCase()] : undefined;
    if (!op) return; // Not a documented operation (a 404 for an unknown route, the bearer check's 401).
    const problem = await check(c.res.clone(), op.responses ?? {}, cached.doc);
    if (problem) {
      const message = `response does not match /openapi.json: ${c.req.method} ${path} ${c.res.status}: ${problem}`;
      console.error(`lastgate: ${message}`);
      c.res = new Response(JSON.stringify({ error: message }), { status: 500, headers: { 'content-type': 'application/json' } });
    }
  };
}

async function check(res: Response, responses: Record<string, { content?: Record<string, { schema?: Schema }> }>, doc: OpenApiDoc): Promise<string | null> {
  const documented = responses[String(res.status)];
  if (!documented) return `status ${res.status} is not documented`;
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (type !== 'application/json') return null;
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return 'a JSON body the document does not describe';
  return mismatch(await res.json(), schema, doc);
}
