/**
 * The knowledge tables a pack may carry (`tables:` in YAML), validated like
 * the rest of a pack: who held which national office from when to when, the
 * canonical wording of the standard political formulations, and which
 * plenary session adopted which document. They are data that compliance
 * officers update when an office changes hands or a formulation is added;
 * the checks that read them are in knowledge.ts.
 */
import { z } from 'zod';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a valid calendar date');

const han = z.string().regex(/^\p{Script=Han}+$/u, 'Chinese characters only');

/** One tenure: from the day the office was taken (inclusive) until the day it was left (exclusive; absent while in office). */
export const TenureSchema = z
  .object({ name: han.min(2).max(4), from: isoDate, until: isoDate.optional() })
  .strict()
  .refine((t) => !t.until || t.until > t.from, { message: 'until must be after from', path: ['until'] });

export const OfficeSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** Full titles, written before or after the name (国务院总理李强, 李强总理 is the short form below). */
    titles: z.array(han.min(2)).min(1),
    /** Short forms used after a name (总理, 主席); a short form may belong to several offices (主席). */
    short: z.array(han.min(2)).default([]),
    holders: z.array(TenureSchema).min(1),
  })
  .strict();
export type Office = z.infer<typeof OfficeSchema>;

export const FormulationSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /** The canonical wording (punctuation inside it, such as 、, is not compared). */
    text: z.string().min(4),
    /** Other wordings that are correct as they stand (a formulation of an earlier period, a standard variant). */
    also: z.array(z.string().min(4)).default([]),
    /** Substrings of `text` whose occurrence starts a comparison; default: its first and last halves. */
    anchors: z.array(z.string().min(3)).optional(),
    /** Text within this many edits of the canonical wording (and not exactly one of the correct wordings) is a finding. */
    maxEdits: z.number().int().min(1).max(4).default(2),
    validFrom: isoDate.optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const letters = (x: string) => x.replace(/[^\p{L}\p{N}]/gu, '');
    for (const [i, a] of (f.anchors ?? []).entries()) {
      if (!letters(f.text).includes(letters(a))) ctx.addIssue({ code: 'custom', path: ['anchors', i], message: `anchor ${a} is not part of ${f.text}` });
    }
  });
export type Formulation = z.infer<typeof FormulationSchema>;

export const PlenumSchema = z
  .object({
    /** 二十届四中全会: the term (届) and the session (中全会), in Chinese numerals. */
    name: z.string().regex(/^[一二三四五六七八九十]{1,3}届[一二三四五六七八九]中全会$/, 'like 二十届四中全会'),
    date: isoDate,
    /** Documents the session adopted, each as the phrases a post uses to name it. */
    adopted: z.array(z.object({ title: z.string().min(4), names: z.array(z.string().min(4)).min(1) }).strict()).default([]),
  })
  .strict();
export type Plenum = z.infer<typeof PlenumSchema>;

export const KnowledgeTablesSchema = z
  .object({
    /** Version of the tables, e.g. 2026.12: recorded in the rules version with everything else. */
    version: z.string().min(1),
    /** The day the tables were last checked against official sources. */
    checked: isoDate,
    offices: z.array(OfficeSchema).default([]),
    /** Names of holders whose one-character homophone misspellings are searched everywhere, not only beside a title (distinctive three-character names). */
    scanNames: z.array(han.min(3)).default([]),
    formulations: z.array(FormulationSchema).default([]),
    plenums: z.array(PlenumSchema).default([]),
  })
  .strict();
export type KnowledgeTables = z.infer<typeof KnowledgeTablesSchema>;
