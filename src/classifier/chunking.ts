/**
 * Texts are scored in half-overlapping windows of whole sentences, and the worst window counts:
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

/**
 * Splits `text` into windows of whole sentences, each window starting about
 * half a window after the previous one, so every sentence is scored with its
 * neighbours on both sides; a sentence longer than `size` is cut with `overlap`.
 */
export function chunkText(text: string, size = CHUNK_CHARS, overlap = CHUNK_OVERLAP): string[] {
  if (text.length <= size) return [text];
  const pieces: string[] = [];
  for (const sentence of text.match(SENTENCE) ?? []) {
    if (sentence === '') continue;
    if (sentence.length <= size) pieces.push(sentence);
    else pieces.push(...hardCut(sentence, size, overlap));
  }
  const windows: string[] = [];
  let first = 0;
  while (first < pieces.length) {
    let last = first;
    let length = pieces[first]!.length;
    while (last + 1 < pieces.length && length + pieces[last + 1]!.length <= size) length += pieces[++last]!.length;
    windows.push(pieces.slice(first, last + 1).join(''));
    if (last === pieces.length - 1) break;
    // Next window starts at the first piece beyond half of this one.
    let next = first;
    let covered = 0;
    while (next < last && covered + pieces[next]!.length <= length / 2) covered += pieces[next++]!.length;
    first = Math.max(next, first + 1);
  }
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
