/**
 * On-disk cache of compiled rules, keyed by their content hash, so a worker
 * (or `lastgate scan`) starting with the same packs and lexicons skips
 * compilation: the automaton's typed arrays are stored raw and read back as
 * views on one buffer, and the key entries (one per term variant: 50,000 for
 * a public lexicon) as integer columns plus one string table, which reads
 * back several times faster than the same entries as JSON objects. Files are
 * written to a temporary name and renamed, so concurrent writers never expose
 * a half-written file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomatonData } from './automaton.js';
import { COMPILER_VERSION, KEY_HAS_PHRASE, KEY_HAS_TERM, termEntry, type CompiledRules, type KeyEntries, type KeyEntry } from './compile.js';
import { BOUNDARIES } from './pack.js';
import type { VariantKind } from './variants.js';

const ARRAYS = ['classOf', 'astral', 'nodes', 'rootNext', 'outKey', 'outLink', 'keyLength'] as const;
type ArrayName = (typeof ARRAYS)[number];
const MAGIC = 'LGRULES4';

export function cacheFile(dir: string, version: string): string {
  return join(dir, `rules-${version}.bin`);
}

interface Layout {
  compiler: string;
  meta: Omit<CompiledRules, 'text'>;
  arrays: Record<string, Record<ArrayName, [offset: number, length: number]>>;
  /** Key entries: terms and suggestions by index, and where the integer columns are. */
  entries: { strings: string[]; columns: Record<ColumnName, [offset: number, length: number]> };
}

const KINDS: readonly VariantKind[] = ['exact', 'numerals', 'split', 'pinyin', 'homophone'];
const COLUMNS = ['keyStart', 'cells', 'mins'] as const;
type ColumnName = (typeof COLUMNS)[number];
/** Int32 cells per entry: flags, rule or phrase id, lexicon line, term, suggestion, offset of `min` in `mins`. */
const CELLS = 6;
const PHRASE = 1;
const ASCII_START = 2;
const ASCII_END = 4;
const HAS_LINE = 8;
const HAS_SUGGESTION = 16;
/** Boundary index in bits 5–6, variant kind index in bits 7–9. */
const BOUNDARY_SHIFT = 5;
const KIND_SHIFT = 7;

/** The entries as integer columns; `min` arrays of all ones (most of them) are not stored. */
function packEntries(entries: KeyEntries): { strings: string[]; columns: Record<ColumnName, Int32Array> } {
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const str = (x: string) => {
    let id = stringIds.get(x);
    if (id === undefined) {
      id = strings.length;
      strings.push(x);
      stringIds.set(x, id);
    }
    return id;
  };
  let n = 0;
  for (let key = 0; key < entries.size; key++) n += entries.of(key).length;
  const keyStart = new Int32Array(entries.size + 1);
  const cells = new Int32Array(n * CELLS);
  const mins: number[] = [];
  let j = 0;
  for (let key = 0; key < entries.size; key++) {
    const list = entries.of(key);
    keyStart[key] = j;
    for (const e of list) {
      const c = j * CELLS;
      let minAt = -1;
      if (e.min.some((m) => m !== 1)) {
        minAt = mins.length;
        mins.push(...e.min);
      }
      cells[c + 5] = minAt;
      if (e.t === 'phrase') {
        cells[c] = PHRASE;
        cells[c + 1] = e.phrase;
      } else {
        cells[c] =
          (e.asciiStart ? ASCII_START : 0) |
          (e.asciiEnd ? ASCII_END : 0) |
          (e.line !== undefined ? HAS_LINE : 0) |
          (e.suggestion !== undefined ? HAS_SUGGESTION : 0) |
          (BOUNDARIES.indexOf(e.boundary) << BOUNDARY_SHIFT) |
          (KINDS.indexOf(e.kind) << KIND_SHIFT);
        cells[c + 1] = e.rule;
        cells[c + 2] = e.line ?? 0;
        cells[c + 3] = str(e.term);
        cells[c + 4] = e.suggestion !== undefined ? str(e.suggestion) : -1;
      }
      j++;
    }
  }
  keyStart[entries.size] = j;
  return { strings, columns: { keyStart, cells, mins: Int32Array.from(mins) } };
}

/** The entries read back lazily: a key's objects are built the first time a text matches it. */
function unpackEntries(strings: string[], col: Record<ColumnName, Int32Array>, keyLength: Int32Array): KeyEntries {
  const { keyStart, cells, mins } = col;
  const size = keyStart.length - 1;
  const kinds = new Uint8Array(size);
  for (let key = 0; key < size; key++) {
    for (let j = keyStart[key]!; j < keyStart[key + 1]!; j++) kinds[key]! |= cells[j * CELLS]! & PHRASE ? KEY_HAS_PHRASE : KEY_HAS_TERM;
  }
  const decoded: Array<KeyEntry[] | undefined> = new Array(size);
  // Shared arrays of ones: the engine only reads `min`.
  const ones: number[][] = [];
  const decode = (key: number): KeyEntry[] => {
    const L = keyLength[key]!;
    const list: KeyEntry[] = [];
    for (let j = keyStart[key]!; j < keyStart[key + 1]!; j++) {
      const c = j * CELLS;
      const flags = cells[c]!;
      const minAt = cells[c + 5]!;
      const min = minAt < 0 ? (ones[L] ??= new Array<number>(L).fill(1)) : Array.from(mins.subarray(minAt, minAt + L));
      if (flags & PHRASE) {
        list.push({ t: 'phrase', phrase: cells[c + 1]!, min });
        continue;
      }
      list.push(
        termEntry({
          rule: cells[c + 1]!,
          line: flags & HAS_LINE ? cells[c + 2]! : undefined,
          term: strings[cells[c + 3]!]!,
          min,
          boundary: BOUNDARIES[(flags >> BOUNDARY_SHIFT) & 3]!,
          asciiStart: (flags & ASCII_START) !== 0,
          asciiEnd: (flags & ASCII_END) !== 0,
          kind: KINDS[(flags >> KIND_SHIFT) & 7]!,
          suggestion: flags & HAS_SUGGESTION ? strings[cells[c + 4]!]! : undefined,
        }),
      );
    }
    return list;
  };
  return { size, kinds, of: (key) => (decoded[key] ??= decode(key)) };
}

export function saveCompiled(dir: string, compiled: CompiledRules): string {
  mkdirSync(dir, { recursive: true });
  const tables: Record<string, AutomatonData> = { text: compiled.text.automaton };
  const arrays: Layout['arrays'] = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(tables)) {
    const entry = {} as Record<ArrayName, [number, number]>;
    for (const k of ARRAYS) {
      const arr = a[k];
      const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
      entry[k] = [offset, arr.length];
      chunks.push(bytes);
      offset += bytes.byteLength;
      const pad = (8 - (offset % 8)) % 8;
      if (pad) {
        chunks.push(new Uint8Array(pad));
        offset += pad;
      }
    }
    arrays[name] = entry;
  }
  const packed = packEntries(compiled.text.entries);
  const columns = {} as Record<ColumnName, [number, number]>;
  for (const k of COLUMNS) {
    const arr = packed.columns[k];
    chunks.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    columns[k] = [offset, arr.length];
    offset += arr.byteLength;
  }
  const { text: _text, ...rest } = compiled;
  const layout: Layout = {
    compiler: COMPILER_VERSION,
    meta: rest,
    arrays,
    entries: { strings: packed.strings, columns },
  };
  const json = Buffer.from(JSON.stringify(layout));
  const header = Buffer.alloc(16);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(json.length, 8);
  const jsonPad = (8 - ((16 + json.length) % 8)) % 8;
  const file = cacheFile(dir, compiled.version);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, Buffer.concat([header, json, Buffer.alloc(jsonPad), ...chunks]));
  renameSync(tmp, file);
  return file;
}

/** The cached compilation for `version`, or null when absent or unreadable. */
export function loadCompiled(dir: string, version: string): CompiledRules | null {
  let buf: Buffer;
  try {
    buf = readFileSync(cacheFile(dir, version));
  } catch {
    return null;
  }
  try {
    if (buf.toString('latin1', 0, 8) !== MAGIC) return null;
    const jsonLen = buf.readUInt32LE(8);
    const layout = JSON.parse(buf.toString('utf8', 16, 16 + jsonLen)) as Layout;
    if (layout.compiler !== COMPILER_VERSION || layout.meta.version !== version) return null;
    const dataStart = 16 + jsonLen + ((8 - ((16 + jsonLen) % 8)) % 8);
    // Copy into a fresh aligned buffer; typed-array views need aligned offsets.
    const data = new Uint8Array(buf.length - dataStart);
    data.set(buf.subarray(dataStart));
    const view = (name: string): AutomatonData => {
      const a = layout.arrays[name]!;
      const at = (k: ArrayName) => a[k];
      return {
        classOf: new Uint16Array(data.buffer, at('classOf')[0], at('classOf')[1]),
        astral: new Int32Array(data.buffer, at('astral')[0], at('astral')[1]),
        nodes: new Int32Array(data.buffer, at('nodes')[0], at('nodes')[1]),
        rootNext: new Int32Array(data.buffer, at('rootNext')[0], at('rootNext')[1]),
        outKey: new Int32Array(data.buffer, at('outKey')[0], at('outKey')[1]),
        outLink: new Int32Array(data.buffer, at('outLink')[0], at('outLink')[1]),
        keyLength: new Int32Array(data.buffer, at('keyLength')[0], at('keyLength')[1]),
      };
    };
    const automaton = view('text');
    const col = {} as Record<ColumnName, Int32Array>;
    for (const k of COLUMNS) col[k] = new Int32Array(data.buffer, layout.entries.columns[k][0], layout.entries.columns[k][1]);
    const entries = unpackEntries(layout.entries.strings, col, automaton.keyLength);
    return { ...layout.meta, text: { automaton, entries } };
  } catch {
    return null;
  }
}
