/**
 * The character tokenizer, written as a Hugging Face `tokenizer.json` that
 * transformers.js loads as is, so serving and training produce the same ids.
 *
 * Normalisation does part of the anti-evasion work before any id is looked up:
 * NFKC (full-width forms, circled digits), lower case, removal of every
 * character that is not a letter or a digit (punctuation, spaces, emoji,
 * zero-width and interference characters such as 赌*博), and every run of
 * digits reduced to a single `0` (amounts and dates carry no label, only
 * template noise). Each remaining CJK character is one token, each run of
 * Latin letters one token (pinyin abbreviations, `vip`, `qq`); traditional
 * characters map to the id of their simplified form; anything never seen in
 * training maps to [UNK].
 */
import * as OpenCC from 'opencc-js';

export const PAD = '[PAD]';
export const UNK = '[UNK]';

/** JavaScript form of the normaliser below, for building the vocabulary. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '').replace(/[0-9]+/g, '0');
}

/** JavaScript form of the pre-tokenizer below. */
export function tokens(text: string): string[] {
  return normalizeText(text).match(/[a-z]+|./gu) ?? [];
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/**
 * `tokens(text).length` without building the tokens (the served decision
 * counts the windows of every text, see length-correction.ts): after NFKC and
 * lower case, characters that are neither letters nor digits vanish, a run of
 * ASCII digits is one token, a run of a–z is one token, any other letter or
 * digit is one token each.
 */
export function countTokens(text: string): number {
  const s = text.normalize('NFKC').toLowerCase();
  let n = 0;
  let run = 0; // 1: inside a run of a–z, 2: inside a run of digits (runs continue across removed characters)
  for (let i = 0; i < s.length; i++) {
    let code = s.charCodeAt(i);
    let width = 1;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    if (code >= 97 && code <= 122) {
      if (run !== 1) n++;
      run = 1;
    } else if (code >= 48 && code <= 57) {
      if (run !== 2) n++;
      run = 2;
    } else if ((code >= 0x4e00 && code <= 0x9fa5) || (code >= 128 && LETTER_OR_DIGIT.test(s.slice(i, i + width)))) {
      n++;
      run = 0;
    }
    i += width - 1;
  }
  return n;
}

export interface TokenizerFiles {
  'tokenizer.json': object;
  'tokenizer_config.json': object;
}

/**
 * Vocabulary from training texts: ids 0 and 1 are [PAD] and [UNK], then every
 * token seen at least `minCount` times, most frequent first (ties by code
 * point, so the result is deterministic).
 */
export function buildVocabulary(texts: Iterable<string>, minCount = 1): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const tok of tokens(t)) counts.set(tok, (counts.get(tok) ?? 0) + 1);
  const chars = [...counts].filter(([, c]) => c >= minCount).map(([ch]) => ch);
  chars.sort((a, b) => counts.get(b)! - counts.get(a)! || a.codePointAt(0)! - b.codePointAt(0)!);
  return [PAD, UNK, ...chars];
}

/** Traditional (Taiwan, Hong Kong) spellings of vocabulary characters, mapped to the simplified id. */
function traditionalAliases(vocab: readonly string[]): Map<string, number> {
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  const toTw = OpenCC.Converter({ from: 'cn', to: 'tw' });
  const toHk = OpenCC.Converter({ from: 'cn', to: 'hk' });
  const fromTw = OpenCC.Converter({ from: 'tw', to: 'cn' });
  const aliases = new Map<string, number>();
  const add = (alias: string, id: number) => {
    if ([...alias].length === 1 && !index.has(alias) && !aliases.has(alias)) aliases.set(alias, id);
  };
  for (let i = 2; i < vocab.length; i++) {
    const ch = vocab[i]!;
    if ([...ch].length !== 1) continue;
    add(toTw(ch), i);
    add(toHk(ch), i);
  }
  // Traditional characters whose simplified form is in the vocabulary but that
  // the one-to-one conversion above misses (one simplified, several traditional).
  for (let cp = 0x4e00; cp <= 0x9fff; cp++) {
    const ch = String.fromCodePoint(cp);
    if (index.has(ch) || aliases.has(ch)) continue;
    const simplified = fromTw(ch);
    const id = index.get(simplified);
    if (id !== undefined && simplified !== ch) aliases.set(ch, id);
  }
  return aliases;
}

export function buildTokenizerFiles(vocab: readonly string[], maxLength: number): TokenizerFiles {
  const ids: Record<string, number> = {};
  vocab.forEach((ch, i) => (ids[ch] = i));
  for (const [alias, id] of traditionalAliases(vocab)) ids[alias] = id;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    'tokenizer.json': {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [special(0, PAD), special(1, UNK)],
      normalizer: {
        type: 'Sequence',
        normalizers: [
          { type: 'NFKC' },
          { type: 'Lowercase' },
          { type: 'Replace', pattern: { Regex: '[^\\p{L}\\p{N}]' }, content: '' },
          { type: 'Replace', pattern: { Regex: '[0-9]+' }, content: '0' },
        ],
      },
      pre_tokenizer: { type: 'Split', pattern: { Regex: '[a-z]+|.' }, behavior: 'Isolated', invert: true },
      post_processor: null,
      decoder: null,
      model: { type: 'WordPiece', unk_token: UNK, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
    },
    'tokenizer_config.json': {
      // transformers.js maps this name to its plain PreTrainedTokenizer (no token_type_ids).
      tokenizer_class: 'DistilBertTokenizer',
      model_max_length: maxLength,
      pad_token: PAD,
      unk_token: UNK,
      padding_side: 'right',
      clean_up_tokenization_spaces: false,
    },
  };
}
