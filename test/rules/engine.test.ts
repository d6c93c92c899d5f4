import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCompiled, saveCompiled } from '../../src/rules/cache.js';
import { compileRules, rulesVersion, type KeyEntries, type PackInput } from '../../src/rules/compile.js';
import { createRuleEngine, loadRuleEngine, RuleEngine } from '../../src/rules/engine.js';
import { parseLexicon } from '../../src/rules/lexicon.js';
import { PackSchema, type PackSpec } from '../../src/rules/pack.js';
import type { Hit } from '../../src/review/types.js';
import { RULES_DIR } from './paths.js';

function pack(rules: unknown[], extra: Record<string, unknown> = {}): PackInput {
  return { source: 'mem', pack: PackSchema.parse({ pack: 'mem', gate: 'legal', rules, ...extra }) as PackSpec };
}
const rule = (over: Record<string, unknown>) => ({ id: 'illegal.t', category: 'illegal', severity: 'high', action: 'block', ...over });
const scan = (e: RuleEngine, body: string, date = '2026-06-01') => e.scan({ id: 'p', body, date });
const texts = (hits: Hit[]) => hits.map((h) => h.text);

describe('rule engine', () => {
  it('reports exact offsets into the original text, evasion characters included', () => {
    const e = createRuleEngine([pack([rule({ terms: ['赌博'] })])]);
    const body = '前文 賭 * 博 後文';
    const [h] = scan(e, body);
    expect(h).toMatchObject({ field: 'body', text: '賭 * 博', rule: 'illegal.t', gate: 'legal', category: 'illegal' });
    expect(body.slice(h!.start, h!.end)).toBe(h!.text);
  });

  it('scans the title too', () => {
    const e = createRuleEngine([pack([rule({ terms: ['赌博'] })])]);
    expect(e.scan({ id: 'p', title: '赌博', body: '正文', date: '2026-01-01' })).toMatchObject([{ field: 'title', start: 0, end: 2 }]);
  });

  it('keeps 嘻嘻哈哈-type terms: runs must be as long as in the term', () => {
    const e = createRuleEngine([pack([rule({ terms: ['嘻嘻哈哈'], options: { boundary: 'none' } })])]);
    expect(texts(scan(e, '嘻哈'))).toEqual([]);
    expect(texts(scan(e, '嘻嘻嘻哈哈'))).toEqual(['嘻嘻哈哈']);
    expect(texts(scan(e, '嘻嘻~嘻哈哈哈'))).toEqual(['嘻~嘻哈哈']);
  });

  it('does not match across clause punctuation', () => {
    const e = createRuleEngine([pack([rule({ terms: ['赌博'], options: { boundary: 'none' } })])]);
    expect(scan(e, '豪赌，博取')).toEqual([]);
    expect(texts(scan(e, '赌~博'))).toEqual(['赌~博']);
  });

  it('suppresses terms that cut through words (segmentation) unless boundary is none', () => {
    const auto = createRuleEngine([pack([rule({ terms: ['大便'] })])]);
    expect(scan(auto, '提供最大便利')).toEqual([]);
    expect(texts(scan(auto, '随地大便'))).toEqual(['大便']);
    const none = createRuleEngine([pack([rule({ terms: ['大便'], options: { boundary: 'none' } })])]);
    expect(texts(scan(none, '提供最大便利'))).toEqual(['大便']);
  });

  it('requires ASCII terms to stand alone', () => {
    const e = createRuleEngine([pack([rule({ terms: ['tmd', '64'] })])]);
    expect(texts(scan(e, 'html tmd 2064年 7.64亿 第64条'))).toEqual(['tmd', '64']);
  });

  it('applies proximity rules (near)', () => {
    const e = createRuleEngine([pack([rule({ terms: ['返水'], near: { terms: ['平台'], within: 5 } })])]);
    expect(texts(scan(e, '平台每日返水'))).toEqual(['返水']);
    expect(scan(e, '返水')).toEqual([]);
    expect(scan(e, '平台一二三四五六七返水')).toEqual([]);
  });

  it('applies exceptions: allow-listed phrases and contexts, before/after', () => {
    const e = createRuleEngine([
      pack([rule({ terms: ['赌博'], unless: { phrases: ['赌博罪'], near: [{ terms: ['打击'], within: 4, side: 'before' }] } })], { allow: ['反赌博联盟'] }),
    ]);
    expect(scan(e, '严厉打击赌博')).toEqual([]);
    expect(texts(scan(e, '赌博打击'))).toEqual(['赌博']);
    expect(scan(e, '构成赌博罪')).toEqual([]);
    expect(scan(e, '反赌博联盟成立')).toEqual([]);
  });

  it('applies validity windows by the post date', () => {
    const e = createRuleEngine([pack([rule({ terms: ['十四五'], validFrom: '2026-01-01', validUntil: '2031-01-01' })])]);
    expect(scan(e, '落实十四五规划', '2025-12-31')).toEqual([]);
    expect(texts(scan(e, '落实十四五规划', '2026-01-01'))).toEqual(['十四五']);
    expect(scan(e, '落实十四五规划', '2031-01-01')).toEqual([]);
  });

  it('gives per-term suggestions over the rule suggestion', () => {
    const e = createRuleEngine([pack([rule({ suggestion: '默认', terms: [{ text: '台湾政府', suggestion: '台湾当局' }, '某词'] })])]);
    const hits = scan(e, '台湾政府、某词');
    expect(hits.map((h) => h.suggestion)).toEqual(['台湾当局', '默认']);
  });

  it('runs safe patterns on the folded text and validators', () => {
    const e = createRuleEngine([pack([rule({ id: 'x.pattern', patterns: ['沪人社规〔\\d{4}〕\\d{1,3}号'] }), rule({ id: 'pii.id', category: 'pii', validator: 'cn-id' })])]);
    const body = '依据沪人社规〔２０２３〕12号，身份证110101199003074477';
    const hits = scan(e, body);
    expect(hits.map((h) => [h.rule, h.text])).toEqual([
      ['x.pattern', '沪人社规〔２０２３〕12号'],
      ['pii.id', '110101199003074477'],
    ]);
  });

  it('matches homophones and pinyin spellings only for terms marked so', () => {
    const marked = createRuleEngine([pack([rule({ terms: [{ text: '赌博', pinyin: true, homophones: true }] })])]);
    expect(texts(scan(marked, '堵博平台'))).toEqual(['堵博']);
    expect(texts(scan(marked, 'dubo平台'))).toEqual(['dubo']);
    expect(texts(scan(marked, 'du博平台'))).toEqual(['du博']);
    // pinyin alone: spellings, but no sound-alikes of a two-character term (女权 is not 女拳).
    const spelled = createRuleEngine([pack([rule({ terms: [{ text: '赌博', pinyin: true }, { text: '女拳', pinyin: true }] })])]);
    expect(texts(scan(spelled, 'dubo平台'))).toEqual(['dubo']);
    expect(scan(spelled, '堵博平台，女权运动')).toEqual([]);
    const plain = createRuleEngine([pack([rule({ terms: ['赌博'] })])]);
    expect(scan(plain, '堵博平台 dubo')).toEqual([]);
  });

  it('loads plain lexicons as review rules named after file and line, yielding to pack findings', () => {
    const lexicon = parseLexicon('# comment\n赌博网站\n法\n政策\n反动标语\n', 'words.txt');
    const e = createRuleEngine([pack([rule({ terms: ['赌博'] })])], { lexicons: [lexicon] });
    const hits = scan(e, '赌博网站和反动标语，依法执行政策');
    expect(hits.map((h) => [h.rule, h.text, h.action, h.category])).toEqual([
      ['illegal.t', '赌博', 'block', 'illegal'],
      ['lexicon:words.txt:5', '反动标语', 'review', 'wording'],
    ]);
    expect(e.compiled.stats.lexiconTerms).toEqual({ ok: 2, empty: 0, short: 1, common: 1 });
  });

  it('has a version that is a content hash of the packs', () => {
    const a = [pack([rule({ terms: ['赌博'] })])];
    const b = [pack([rule({ terms: ['赌场'] })])];
    expect(rulesVersion(a)).toBe(rulesVersion([pack([rule({ terms: ['赌博'] })])]));
    expect(rulesVersion(a)).not.toBe(rulesVersion(b));
    expect(createRuleEngine(a).version).toBe(rulesVersion(a));
  });

  it('leaves disabled rules out', () => {
    const e = createRuleEngine([pack([rule({ terms: ['赌博'], enabled: false })])]);
    expect(scan(e, '赌博')).toEqual([]);
  });

  it('round-trips compiled rules through the on-disk cache', () => {
    const packs = [pack([rule({ terms: ['赌博', { text: '色情', pinyin: true, homophones: true }] })])];
    const compiled = compileRules(packs);
    const dir = mkdtempSync(join(tmpdir(), 'rules-cache-'));
    saveCompiled(dir, compiled);
    const loaded = loadCompiled(dir, compiled.version);
    expect(loaded).not.toBeNull();
    const fresh = new RuleEngine(compiled);
    const cached = new RuleEngine(loaded!);
    const body = '赌 博，涩情，色情';
    expect(scan(cached, body)).toEqual(scan(fresh, body));
    expect(scan(cached, body)).toHaveLength(3);
    expect(loadCompiled(dir, 'someotherversion')).toBeNull();
  });

  it('the cache gives back every key entry field for field (terms, variants, suggestions, phrases, lexicon lines)', () => {
    const packs = [
      pack([
        rule({ terms: ['赌博', { text: '色情', pinyin: true, homophones: true }, { text: '嘻嘻哈哈', suggestion: '高兴' }, '六四'], unless: { phrases: ['打击赌博'] } }),
        rule({ id: 'test.ascii', terms: [{ text: 'VPN', boundary: 'word' }] }),
      ]),
    ];
    const compiled = compileRules(packs, { lexicons: [parseLexicon('反动标语\n赌博网站\n', 'words.txt')] });
    const dir = mkdtempSync(join(tmpdir(), 'rules-cache-'));
    saveCompiled(dir, compiled);
    const loaded = loadCompiled(dir, compiled.version)!;
    const all = (e: KeyEntries) => Array.from({ length: e.size }, (_, key) => e.of(key));
    expect(loaded.text.entries.size).toBe(compiled.text.entries.size);
    expect(Array.from(loaded.text.entries.kinds)).toEqual(Array.from(compiled.text.entries.kinds));
    expect(all(loaded.text.entries)).toEqual(all(compiled.text.entries));
    expect(Array.from(loaded.text.automaton.nodes)).toEqual(Array.from(compiled.text.automaton.nodes));
    const { text: _a, ...restLoaded } = loaded;
    const { text: _b, ...restCompiled } = compiled;
    expect(restLoaded).toEqual(restCompiled);
  });

  it('loadRuleEngine with cacheDir writes once and reuses the file, keyed by the bytes of the packs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-cache-'));
    const rulesDir = mkdtempSync(join(tmpdir(), 'rules-src-'));
    cpSync(RULES_DIR, rulesDir, { recursive: true });
    const first = loadRuleEngine({ rulesDir, cacheDir: dir });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toBe(`rules-${first.version}.bin`);
    expect(readFileSync(join(dir, files[1]!), 'utf8').trim()).toBe(first.version);
    const second = loadRuleEngine({ rulesDir, cacheDir: dir });
    expect(second.version).toBe(first.version);
    expect(readdirSync(dir).sort()).toEqual(files);
    expect(scan(second, '台湾政府')).toEqual(scan(first, '台湾政府'));
    // A comment changes the bytes, not the rules: a new source index, the same compiled rules.
    const pack = join(rulesDir, 'political.yaml');
    writeFileSync(pack, `${readFileSync(pack, 'utf8')}\n# a comment\n`);
    const third = loadRuleEngine({ rulesDir, cacheDir: dir });
    expect(third.version).toBe(first.version);
    expect(readdirSync(dir).filter((f) => f.startsWith('rules-'))).toEqual([`rules-${first.version}.bin`]);
    expect(readdirSync(dir).filter((f) => f.startsWith('sources-'))).toHaveLength(2);
  });
});
