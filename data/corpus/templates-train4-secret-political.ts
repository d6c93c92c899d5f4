import type { TrainingBatch } from './templates-train4.js';

export const BATCH: TrainingBatch = {};
