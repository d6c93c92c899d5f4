/**
 * The served tokenizer: the normalisation and splitting of the Hugging Face
 * `tokenizer.json` written by tokenizer.ts (NFKC, lower case, every character
 * that is not a letter or a digit removed, a run of ASCII digits one `0`
 * token, a run of a–z one token, any other letter or digit one token,
 * traditional characters mapped to the id of their simplified form, anything
 * else [UNK]), done code point by code point, so that it is fast and records
 * where every token came from.
 *
 * `encode(text)` returns the ids and, for every token, the JavaScript string
 * offsets [start, end) of the characters it was made from in `text` (a run of
 * digits or letters spans its first to its last character, removed
 * characters in between included), so a window of tokens maps back to
 * `text.slice(start, end)`.
 *
 * Same ids as transformers.js' tokenizer on the same files (a test checks it
 * on every corpus text), except where NFKC composes across code points
 * (a letter followed by a separate combining mark): here each code point is
 * normalised on its own, and the mark, not a letter, is dropped.
 */
import { readFileSync } from 'node:fs';

export const PAD_ID = 0;
export const UNK_ID = 1;

export interface Encoding {
  ids: Int32Array;
  /** Offset in the text of the first UTF-16 unit of each token. */
  starts: Int32Array;
  /** Offset in the text just after the last UTF-16 unit of each token. */
  ends: Int32Array;
}

// What a BMP code point becomes after NFKC and lower case (computed on first sight).
const UNSEEN = -1;
const REMOVED = 0;
const DIGIT = 1;
const LATIN = 2;
const SINGLE = 3;
const COMPLEX = 4;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

export class CharTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly kind = new Int8Array(0x10000).fill(UNSEEN);
  /** Token id of a SINGLE code point; the a–z letter of a LATIN one. */
  private readonly value = new Int32Array(0x10000);

  constructor(vocab: Record<string, number> | Map<string, number>) {
    this.vocab = vocab instanceof Map ? vocab : new Map(Object.entries(vocab));
  }

  /** Reads `model.vocab` of a tokenizer.json (written by `buildTokenizerFiles`). */
  static fromFile(path: string): CharTokenizer {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { model?: { vocab?: Record<string, number> } };
    if (!json.model?.vocab) throw new Error(`${path}: no model.vocab`);
    return new CharTokenizer(json.model.vocab);
  }

  get size(): number {
    let max = 0;
    for (const id of this.vocab.values()) max = Math.max(max, id);
    return max + 1;
  }

  private idOf(token: string): number {
    return this.vocab.get(token) ?? UNK_ID;
  }

  private classify(code: number): number {
    const norm = String.fromCharCode(code).normalize('NFKC').toLowerCase();
    const chars = [...norm].filter((c) => LETTER_OR_DIGIT.test(c));
    let kind: number;
    if (chars.length === 0) kind = REMOVED;
    else if (chars.length > 1) kind = COMPLEX;
    else {
      const c = chars[0]!;
      const cc = c.charCodeAt(0);
      if (cc >= 48 && cc <= 57) kind = DIGIT;
      else if (cc >= 97 && cc <= 122) {
        kind = LATIN;
        this.value[code] = cc;
      } else {
        kind = SINGLE;
        this.value[code] = this.idOf(c);
      }
    }
    this.kind[code] = kind;
    return kind;
  }

  /** Token ids of `text` with the offsets of their characters (see the header). */
  encode(text: string): Encoding {
    const n = text.length;
    const ids = new Int32Array(n);
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    let k = 0;
    // Open run: 1 letters, 2 digits (runs continue across removed characters).
    let run = 0;
    let latin = '';
    const closeRun = () => {
      if (run === 1) ids[k - 1] = this.idOf(latin);
      run = 0;
    };
    const emit = (id: number, start: number, end: number) => {
      ids[k] = id;
      starts[k] = start;
      ends[k] = end;
      k++;
    };
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      let kind: number;
      let width = 1;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        width = 2;
        kind = COMPLEX;
      } else {
        kind = this.kind[code]!;
        if (kind === UNSEEN) kind = this.classify(code);
      }
      if (kind === REMOVED) continue;
      if (kind === DIGIT) {
        if (run === 2) ends[k - 1] = i + 1;
        else {
          closeRun();
          emit(this.idOf('0'), i, i + 1);
          run = 2;
        }
        continue;
      }
      if (kind === LATIN) {
        const letter = String.fromCharCode(this.value[code]!);
        if (run === 1) {
          latin += letter;
          ends[k - 1] = i + 1;
        } else {
          closeRun();
          latin = letter;
          emit(UNK_ID, i, i + 1);
          run = 1;
        }
        continue;
      }
      if (kind === SINGLE) {
        closeRun();
        emit(this.value[code]!, i, i + 1);
        continue;
      }
      // COMPLEX: a supplementary-plane character, or one NFKC expands to several.
      const piece = text.slice(i, i + width);
      for (const c of piece.normalize('NFKC').toLowerCase()) {
        if (!LETTER_OR_DIGIT.test(c)) continue;
        const cc = c.charCodeAt(0);
        if (cc >= 48 && cc <= 57) {
          if (run === 2) ends[k - 1] = i + width;
          else {
            closeRun();
            emit(this.idOf('0'), i, i + width);
            run = 2;
          }
        } else if (cc >= 97 && cc <= 122) {
          if (run === 1) {
            latin += c;
            ends[k - 1] = i + width;
          } else {
            closeRun();
            latin = c;
            emit(UNK_ID, i, i + width);
            run = 1;
          }
        } else {
          closeRun();
          emit(this.idOf(c), i, i + width);
        }
      }
      i += width - 1;
    }
    closeRun();
    return { ids: ids.slice(0, k), starts: starts.slice(0, k), ends: ends.slice(0, k) };
  }
}
