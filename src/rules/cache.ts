/**
 * On-disk cache of compiled rules, keyed by their content hash, so a worker
 * (or `lastgate scan`) starting with the same packs and lexicons skips
 * compilation: the automaton's typed arrays are stored raw and read back as
 * views on one buffer. Files are written to a temporary name and renamed, so
 * concurrent writers never expose a half-written file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomatonData } from './automaton.js';
import { COMPILER_VERSION, type CompiledRules, type KeyTable } from './compile.js';

const ARRAYS = ['classOf', 'astral', 'nodes', 'rootNext', 'outKey', 'outLink', 'keyLength'] as const;
type ArrayName = (typeof ARRAYS)[number];
const MAGIC = 'LGRULES3';

export function cacheFile(dir: string, version: string): string {
  return join(dir, `rules-${version}.bin`);
}

interface Layout {
  compiler: string;
  meta: Omit<CompiledRules, 'text'> & { text: { entries: KeyTable['entries'] } };
  arrays: Record<string, Record<ArrayName, [offset: number, length: number]>>;
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
  const { text, ...rest } = compiled;
  const layout: Layout = {
    compiler: COMPILER_VERSION,
    meta: { ...rest, text: { entries: text.entries } },
    arrays,
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
    const { text, ...rest } = layout.meta;
    return { ...rest, text: { automaton: view('text'), entries: text.entries } };
  } catch {
    return null;
  }
}
