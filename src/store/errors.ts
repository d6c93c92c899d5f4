/**
 * Errors that cross the service boundary. The HTTP layer maps `code` to a status
 * (400/401/403/404/409/413) and shows `message` and `field` as they are; the
 * reviewer workspace shows `zh`, the same message in Simplified Chinese
 * (uiMessage in src/ui/components.tsx falls back to a sentence per code).
 */
export type ErrorCode = 'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'upstream';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    /** The message for the Chinese UI. */
    readonly zh?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const HTTP_STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 502> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  /** A system lastgate hands work to (an account's publisher) failed. */
  upstream: 502,
};

/** Maximum characters in a post body (and the HTTP request limit derived from it). */
export const MAX_BODY_CHARS = 50_000;
export const MAX_TITLE_CHARS = 500;
