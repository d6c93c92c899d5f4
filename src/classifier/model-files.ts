/**
 * Where the shipped model lives and what it is called. The directory name
 * `<name>-<version>` is the classifier version recorded in every machine review.
 */
import { fileURLToPath } from 'node:url';
import type { LengthCorrection } from './length-correction.js';

export const MODEL_NAME = 'lastgate-zh-charft';
export const MODEL_VERSION = '2.0.0';
export const MODEL_ID = `${MODEL_NAME}-${MODEL_VERSION}`;
/** The model shipped before issue 13, kept in models/ for side-by-side figures (eval, bench). */
export const BASELINE_MODEL_ID = 'lastgate-zh-charngram-1.4.0';

/** The repository's `models/` directory (absolute, with a trailing slash as transformers.js expects). */
export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** Labels in output order; index 0 is the negative class. */
export const LABELS = ['clean', 'secret', 'political', 'illegal', 'ads', 'vulgar'] as const;
export type Label = (typeof LABELS)[number];

/** Model card (`lastgate.json`) of the 1.x character n-gram models, served through transformers.js. */
export interface ModelCard {
  name: string;
  version: string;
  labels: readonly string[];
  temperature: number;
  /** Added to the clean logit (after the temperature); see scripts/train.ts. */
  cleanMargin: number;
  /** Added to the clean logit per ln(windows scored) by the served decision (absent: none); see length-correction.ts. */
  lengthCorrection?: LengthCorrection;
  /** Window length in token positions; a post counts as its worst window. */
  window: number;
  chunkChars: number;
  chunkOverlap: number;
  train: Record<string, unknown>;
  validation: Record<string, unknown>;
}

/**
 * Model card (`lastgate.json`) of the window models (2.x): what the served
 * decision needs (window-model.ts) and where the model came from.
 */
export interface WindowModelCard {
  name: string;
  version: string;
  format: 'window-logits';
  labels: readonly string[];
  /** Tokens in tokenizer.json (ids 0 … vocabSize − 1); embedding rows vocabSize … + buckets − 1 are the hashed n-grams. */
  vocabSize: number;
  buckets: number;
  /** Window length and the distance between window starts, in token positions. */
  window: number;
  stride: number;
  /** How far beyond its own positions a window's score looks (the convolution's reach). */
  radius: number;
  temperature: number;
  /** Added to every window's clean logit after the temperature. */
  cleanMargin: number;
  lengthCorrection?: LengthCorrection;
  architecture: Record<string, unknown>;
  data: Record<string, unknown>;
  licences: Array<{ data: string; licence: string; source: string }>;
  train: Record<string, unknown>;
  validation: Record<string, unknown>;
}

export type AnyModelCard = ModelCard | WindowModelCard;

export function isWindowCard(card: Partial<AnyModelCard>): card is WindowModelCard {
  return (card as Partial<WindowModelCard>).format === 'window-logits';
}
