import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runScan } from '../../src/cli/scan.js';
import { today } from '../../src/review/dates.js';
import { LEXICON_51K } from './paths.js';

async function scan(argv: string[], stdin = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runScan(argv, { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l)), err };
}

const jsonl = (...posts: unknown[]) => posts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('\n') + '\n';

describe('lastgate scan', () => {
  it('reads lines cut anywhere by the stream: inside a UTF-8 character, CRLF, no final newline', async () => {
    const text = `${JSON.stringify({ id: 'x', body: '台湾政府发言人表示' })}\r\n\n${JSON.stringify({ id: 'y', body: '内部资料，请勿外传' })}`;
    const bytes = Buffer.from(text);
    // Every chunk boundary, one at a time, including those inside a three-byte character.
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d) => (out += d));
      const code = await runScan(['--no-classifier', '-'], { stdin: Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]), stdout, stderr: new PassThrough() });
      expect(code).toBe(0);
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; hits: Array<{ text: string }> });
      expect(lines.map((l) => l.id), `cut at ${cut}`).toEqual(['x', 'y']);
      expect(lines[0]!.hits[0]!.text).toBe('台湾政府');
    }
  });

  it('writes one contract-shaped line per post, verdicts from the processor', async () => {
    const input = jsonl(
      { id: 'a', title: '通知', body: '賭*博平台注册就送，联系13812345678', date: '2026-03-01' },
      { id: 'b', body: '公安机关严厉打击网络赌博犯罪，咨询电话12333。' },
      { id: 'c', body: '认真落实“十四五”规划', date: '2026-03-01' },
    );
    const r = await scan(['--no-classifier', '-'], input);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => [l.id, l.verdict, l.categories])).toEqual([
      ['a', 'block', ['illegal', 'pii']],
      ['b', 'pass', []],
      ['c', 'review', ['political']],
    ]);
    const [gamble] = r.lines[0].hits;
    expect(Object.keys(gamble).sort()).toEqual(['action', 'category', 'end', 'field', 'gate', 'rule', 'severity', 'start', 'text'].sort());
    expect(gamble).toMatchObject({ field: 'body', start: 0, end: 5, text: '賭*博平台', gate: 'legal', action: 'block' });
    expect(r.lines[2].hits[0].suggestion).toBe('“十五五”');
    expect(r.lines.every((l) => l.classifier === null)).toBe(true);
  });

  it('reports bad lines with line number and field, keeps going, exits non-zero', async () => {
    const input = jsonl({ id: 'ok1', body: '正文' }, { id: 'x' }, 'not json', { id: 'y', body: '正文', date: '2026-02-30' }, '', { id: 'ok2', body: '正文' });
    const r = await scan(['--no-classifier'], input);
    expect(r.code).toBe(1);
    expect(r.lines.map((l) => l.id)).toEqual(['ok1', 'ok2']);
    expect(r.err).toMatch(/line 2: field "body"/);
    expect(r.err).toMatch(/line 3: invalid JSON/);
    expect(r.err).toMatch(/line 4: field "date"/);
  });

  it('uses today for posts without a date', async () => {
    const r = await scan(['--no-classifier'], jsonl({ id: 't', body: '报名截止时间为2000年1月1日' }));
    expect(today() > '2000-01-01').toBe(true);
    expect(r.lines[0].hits.map((h: { rule: string }) => h.rule)).toEqual(['stale.past-deadline']);
  });

  it('reads a file argument and loads lexicons as review rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    const file = join(dir, 'posts.jsonl');
    writeFileSync(file, jsonl({ id: 1, body: '欢迎关注反动标语展' }));
    const lex = join(dir, 'words.txt');
    writeFileSync(lex, '反动标语\n');
    const r = await scan(['--no-classifier', '--lexicon', lex, '--lexicon', LEXICON_51K, file]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ id: 1, verdict: 'review' });
    expect(r.lines[0].hits[0]).toMatchObject({ rule: 'lexicon:words.txt:1', action: 'review', text: '反动标语' });
    expect(r.err).toMatch(/lexicon-51k\.txt: 51337 terms/);
  });

  it('refuses a malformed pack with file, line and field, before reading input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-rules-'));
    writeFileSync(join(dir, 'bad.yaml'), 'pack: x\ngate: legal\nrules:\n  - id: a\n    category: illegal\n    severity: high\n    action: nope\n    terms: [a]\n');
    const r = await scan(['--no-classifier', '--rules', dir], jsonl({ id: 'a', body: 'a' }));
    expect(r.code).toBe(2);
    expect(r.lines).toEqual([]);
    expect(r.err).toMatch(/bad\.yaml:7: rules\[0\]\.action/);
  });

  it('rejects unknown options and missing files', async () => {
    expect((await scan(['--bogus'])).code).toBe(2);
    const missing = await scan(['--no-classifier', '/nonexistent/posts.jsonl']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read/);
  });
});
