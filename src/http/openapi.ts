/**
 * What every concept's route module builds its routes from: the router (with
 * the validation hook that turns a zod issue into a 400 naming the field), the
 * error body, response and request helpers, and the schemas more than one
 * resource returns. createApp (app.ts) mounts the modules.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Role } from '../review/transitions.js';
import type { Actor } from '../users/actor.js';

/** Every API route runs after the bearer-token check, which sets the actor. */
export type ApiEnv = { Variables: { actor: Actor } };

export function errorResponse(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 502, error: string, field?: string) {
  return c.json(field ? { error, field } : { error }, status);
}

/**
 * Route middleware (createRoute's `middleware`, which runs before the
 * request is validated): only `roles` may call the operation, so a caller
 * who may not is told 403 whatever the body says, never a 400 that hints at
 * what a valid request would be. The store checks again for its other
 * callers.
 */
export function allow(roles: readonly Role[], what: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (!actor || !roles.includes(actor.role)) return errorResponse(c, 403, `role ${actor?.role ?? '(none)'} may not ${what}`);
    await next();
  };
}

/** A router for one concept's routes; invalid input gets 400 with a message that names the field. */
export function router(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : undefined);
        const message = issue.code === 'unrecognized_keys' ? `unknown field: ${issue.keys.join(', ')}` : `${field ?? 'request'}: ${issue.message}`;
        return errorResponse(c, 400, message, field || undefined);
      }
    },
  });
}

/** Text that is valid Unicode (no lone surrogates) and has no NUL or other C0 controls but tab/newline. */
export const text = (field: string) =>
  z
    .string()
    .refine((s) => s.isWellFormed(), { message: `${field} is not valid Unicode text (lone surrogate)` })
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(s), { message: `${field} contains control characters` });

export const dateField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
  .openapi({ example: '2026-11-23', description: 'Intended publication day; time-aware rules use it. Default: today.' });

const ErrorBody = z.object({ error: z.string(), field: z.string().optional() }).openapi('Error');

export const errors = (...codes: Array<400 | 401 | 403 | 404 | 409 | 413 | 502>) =>
  Object.fromEntries(codes.map((c) => [c, { description: 'error', content: { 'application/json': { schema: ErrorBody } } }]));

export const json = <T extends z.ZodTypeAny>(schema: T, description = 'ok') => ({ description, content: { 'application/json': { schema } } });
export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

export const security = [{ bearer: [] }];

/** A post id in the path. */
/**
 * A whole number written in plain decimal digits, at least `min`: 0x1, 1e0,
 * 1.0, +1 and " 1" are refused (400) rather than read as 1, so an id in a URL
 * or query means exactly what it says.
 */
export function decimal(min: number) {
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min));
}

export const IdParam = z.object({ id: z.string().min(1).max(100) });
/** A numeric id in the path (tasks, policies, cleanup runs and tasks, reason templates). */
export const NumericIdParam = z.object({ id: decimal(1).openapi({ param: { name: 'id', in: 'path' } }) });

export const Task = z
  .object({
    id: z.number().int(),
    postId: z.string(),
    versionId: z.number().int(),
    version: z.number().int(),
    state: z.enum(['open', 'claimed', 'done', 'void']),
    requiredApprovals: z.number().int(),
    approvals: z.number().int(),
    assignedRole: z.enum(['reviewer', 'compliance']),
    riskScore: z.number(),
    claimedBy: z.number().int().nullable(),
    leaseExpiresAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ReviewTask');

export const PostRef = z.object({ id: z.string(), status: z.string(), version: z.number().int().optional() }).openapi('PostRef');

/** A rule finding in a post (machine review, rule dry run): a span of the title or body and the rule that matched it. */
export const Hit = z
  .object({
    field: z.enum(['title', 'body']),
    start: z.number().int(),
    end: z.number().int(),
    text: z.string(),
    rule: z.string(),
    category: z.string(),
    gate: z.string(),
    severity: z.string(),
    action: z.enum(['block', 'review', 'info']),
    suggestion: z.string().optional(),
    message: z.string().optional(),
  })
  .openapi('Hit');
