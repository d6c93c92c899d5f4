/**
 * One chunk of `lastgate scan` input reviewed: bytes of whole lines in, the
 * output lines and the complaints about bad lines out, all posts of the
 * chunk handed to the reviewer at once.
 */
import { z } from 'zod';
import { isValidDate } from '../review/dates.js';
import { decodeUtf8, splitLines } from './scan-io.js';
import type { ScanPost, ScanReviewer } from './scan-review.js';

export interface ChunkOutput {
  /** Output lines of the chunk's posts, in order, newline-terminated. */
  out: string;
  /** One message per rejected line ("line N: …"), in order. */
  errors: string[];
  /** Lines the chunk held, blank and bad ones included. */
  lines: number;
}

const PostSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().transform(String)]),
    title: z.string().optional(),
    body: z.string(),
    platform: z.string().optional(),
    account: z.string().optional(),
    date: z
      .string()
      .refine(isValidDate, 'must be a calendar day YYYY-MM-DD')
      .optional(),
  })
  .passthrough();

/**
 * Reviews the lines of `bytes`, the first of which is line `firstLine` of
 * the input (line 1 may start with a byte-order mark). Blank lines are
 * skipped; a bad line is reported with its number and field and skipped.
 */
export async function reviewChunk(bytes: Uint8Array, firstLine: number, reviewer: ScanReviewer, defaultDate: string): Promise<ChunkOutput> {
  const errors: string[] = [];
  const posts: ScanPost[] = [];
  const lines = splitLines(decodeUtf8(bytes));
  let lineNo = firstLine;
  for (const raw of lines) {
    const post = parseLine(lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, lineNo, defaultDate, errors);
    lineNo++;
    if (post) posts.push(post);
  }
  return { out: posts.length > 0 ? (await reviewer.review(posts)).join('') : '', errors, lines: lines.length };
}

/** One input line as a post; null for a blank line or a bad one (reported in `errors` with its line number and field). */
function parseLine(line: string, lineNo: number, defaultDate: string, errors: string[]): ScanPost | null {
  if (line.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    errors.push(`line ${lineNo}: invalid JSON: ${(e as Error).message}`);
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    errors.push(`line ${lineNo}: expected a JSON object`);
    return null;
  }
  const parsed = PostSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    errors.push(`line ${lineNo}: field "${issue.path.join('.') || '(post)'}": ${issue.message}`);
    return null;
  }
  const p = parsed.data;
  return {
    rawId: (json as { id: unknown }).id,
    post: {
      id: p.id,
      body: p.body,
      date: p.date ?? defaultDate,
      ...(p.title !== undefined ? { title: p.title } : {}),
      ...(p.platform !== undefined ? { platform: p.platform } : {}),
      ...(p.account !== undefined ? { account: p.account } : {}),
    },
  };
}
