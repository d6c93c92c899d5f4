/**
 * Where the shipped model lives and what it is called. The directory name
 * `<name>-<version>` is the classifier version recorded in every machine review.
 */
import { fileURLToPath } from 'node:url';
import type { LengthCorrection } from './length-correction.js';

export const MODEL_NAME = 'lastgate-zh-charngram';
export const MODEL_VERSION = '1.4.0';
export const MODEL_ID = `${MODEL_NAME}-${MODEL_VERSION}`;

/** The repository's `models/` directory (absolute, with a trailing slash as transformers.js expects). */
export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** Labels in output order; index 0 is the negative class. */
export const LABELS = ['clean', 'secret', 'political', 'illegal', 'ads', 'vulgar'] as const;
export type Label = (typeof LABELS)[number];

/** Training metadata written next to the model (`lastgate.json`). */
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
