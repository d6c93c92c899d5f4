/**
 * Texts are scored in windows of whole sentences, and the worst window counts:
 * the model averages its features over a window, so one leaking or promoting
 * sentence must not be averaged away by the clean paragraphs around it, be it
 * in a three-sentence post or a 50,000-character report.
 */

/** Window length in UTF-16 code units: sentences are packed into windows up to this size. */
export const CHUNK_CHARS = 600;
/** Overlap when a single sentence longer than a window has to be cut. */
export const CHUNK_OVERLAP = 80;
/** Tokenizer `model_max_length`: above any window after normalisation, so nothing is silently truncated. */
export const MAX_TOKENS = 8192;

const SENTENCE = /[^。！？!?；;\n]*(?:[。！？!?；;\n]+|$)/g;

/** Splits `text` into windows of whole sentences; a sentence longer than `size` is cut with `overlap`. */
export function chunkText(text: string, size = CHUNK_CHARS, overlap = CHUNK_OVERLAP): string[] {
  if (text.length <= size) return [text];
  const windows: string[] = [];
  let current = '';
  for (const sentence of text.match(SENTENCE) ?? []) {
    if (sentence === '') continue;
    if (current.length + sentence.length <= size) {
      current += sentence;
      continue;
    }
    if (current.trim() !== '') windows.push(current);
    current = '';
    if (sentence.length <= size) current = sentence;
    else windows.push(...hardCut(sentence, size, overlap));
  }
  if (current.trim() !== '' || windows.length === 0) windows.push(current);
  return windows;
}

function hardCut(text: string, size: number, overlap: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end--;
    out.push(text.slice(start, end));
    if (end >= text.length) break;
    let next = Math.max(end - overlap, start + 1);
    if (isLowSurrogate(text.charCodeAt(next))) next--;
    start = next;
  }
  return out;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
