import { describe, expect, it } from 'vitest';
import { findCitations, parseDocNo, docNoCandidates } from '../../src/policy/citations.js';
import { PolicyIndex, parsePolicyFile } from '../../src/policy/registry.js';
import { findDeadlines, passedDeadlines } from '../../src/cleanup/deadlines.js';
import { findLinks, hostAllowed } from '../../src/cleanup/links.js';
import { insideWindow } from '../../src/publish/window.js';
import { daysBetween, freshnessLevel } from '../../src/accounts/freshness.js';

describe('citations', () => {
  it('finds 文号 in every bracket style and normalises them', () => {
    const text = '根据沪人社规〔2023〕12号和沪人社就[2024]3号，参照人社部发（2019）０８号执行。';
    const c = findCitations(text).filter((x) => x.kind === 'doc_no');
    expect(c.map((x) => x.text)).toEqual(['根据沪人社规〔2023〕12号', '和沪人社就[2024]3号', '参照人社部发（2019）０８号']);
    for (const x of c) expect(text.slice(x.start, x.end)).toBe(x.text);
    expect(parseDocNo('沪人社规[2023]012号')).toBe('沪人社规〔2023〕12号');
    expect(parseDocNo('不是文号')).toBeNull();
    // Parsing a registry entry must not disturb later scans of text.
    expect(findCitations('依据沪人社规〔2023〕12号').map((x) => x.key)).toEqual(['依据沪人社规〔2023〕12号']);
    expect(docNoCandidates('根据沪人社规〔2023〕12号')).toContain('沪人社规〔2023〕12号');
  });

  it('matches registry policies by 文号 or exact title and reports the cited span', () => {
    const idx = new PolicyIndex([
      { id: 1, docNo: '沪人社规〔2023〕12号', title: '关于调整本市职工基本养老金的通知', issuedAt: null, status: 'repealed', replacedBy: null, updatedAt: '' },
      { id: 2, docNo: null, title: '上海市就业补助资金管理办法', issuedAt: null, status: 'effective', replacedBy: null, updatedAt: '' },
    ]);
    const text = '根据沪人社规〔2023〕12号，并依照《上海市就业补助资金管理办法》执行。另见《不在登记册中的文件》。';
    const cited = idx.cited(text);
    expect(cited.map((c) => [c.policy.id, c.text])).toEqual([
      [1, '沪人社规〔2023〕12号'],
      [2, '《上海市就业补助资金管理办法》'],
    ]);
    for (const c of cited) expect(text.slice(c.start, c.end)).toBe(c.text);
    expect(idx.cited('沪人社规〔2023〕13号')).toEqual([]);
  });

  it('parses CSV (Chinese headers, quotes, status names) and names bad lines', () => {
    const csv = '文号,标题,发布日期,状态\n沪人社规〔2023〕12号,"关于调整本市职工基本养老金的通知",2023-06-01,已废止\n,《无文号文件》,,现行有效\n沪人社规〔2022〕1号,标题,2022-13-01,已失效\n';
    const r = parsePolicyFile(csv, 'p.csv');
    expect(r.rows).toHaveLength(2);
    expect(r.rows[0]).toMatchObject({ docNo: '沪人社规〔2023〕12号', status: 'repealed', issuedAt: '2023-06-01' });
    expect(r.errors).toEqual([expect.stringMatching(/^p\.csv line 4: issuedAt/)]);
    const j = parsePolicyFile('[{"title":"x","status":"bogus"}]', 'p.json');
    expect(j.errors[0]).toMatch(/item 1: (title|status)/);
  });
});

describe('deadlines', () => {
  it('finds deadlines with their cue and ignores dates without one', () => {
    const text = '本通知自2024年1月1日起施行。报名截止时间为2025年3月31日。请于2025年4月10日前提交材料。申报截至2025年6月30日止。2023年工作总结发布于2024年2月1日。';
    expect(findDeadlines(text).map((d) => d.date)).toEqual(['2025-03-31', '2025-04-10', '2025-06-30']);
    for (const d of findDeadlines(text)) expect(text.slice(d.start, d.end)).toBe(d.text);
    expect(passedDeadlines(text, '2025-04-10').map((d) => d.date)).toEqual(['2025-03-31']);
    expect(passedDeadlines(text, '2025-03-31')).toEqual([]);
    expect(findDeadlines('截止时间为2025年2月30日')).toEqual([]);
  });
});

describe('links', () => {
  it('extracts URLs from Chinese prose and checks the allow-list by domain', () => {
    const text = '详见https://rsj.sh.gov.cn/a/b.html，或访问 http://example.com/x?y=1。';
    expect(findLinks(text).map((l) => l.url)).toEqual(['https://rsj.sh.gov.cn/a/b.html', 'http://example.com/x?y=1']);
    for (const l of findLinks(text)) expect(text.slice(l.start, l.end)).toBe(l.url);
    expect(hostAllowed('rsj.sh.gov.cn', ['gov.cn'])).toBe(true);
    expect(hostAllowed('evilgov.cn', ['gov.cn'])).toBe(false);
    expect(hostAllowed('example.com', ['gov.cn'])).toBe(false);
  });
});

describe('publish windows and freshness', () => {
  const tz = 'Asia/Shanghai';
  it('checks local time and weekdays, including windows past midnight', () => {
    const w = { start: '08:00', end: '20:00', days: [1, 2, 3, 4, 5] };
    expect(insideWindow(w, new Date('2026-11-23T01:00:00Z'), tz)).toBe(true); // Mon 09:00
    expect(insideWindow(w, new Date('2026-11-23T12:30:00Z'), tz)).toBe(false); // Mon 20:30
    expect(insideWindow(w, new Date('2026-11-22T03:00:00Z'), tz)).toBe(false); // Sun 11:00
    const night = { start: '22:00', end: '06:00' };
    expect(insideWindow(night, new Date('2026-11-23T15:00:00Z'), tz)).toBe(true); // 23:00
    expect(insideWindow(night, new Date('2026-11-23T04:00:00Z'), tz)).toBe(false); // 12:00
  });
  it('warns at 10 days and fails at 14', () => {
    expect(daysBetween('2026-11-01', '2026-11-15')).toBe(14);
    expect(freshnessLevel(9)).toBe('ok');
    expect(freshnessLevel(10)).toBe('warning');
    expect(freshnessLevel(14)).toBe('failing');
    expect(freshnessLevel(null)).toBe('ok');
  });
});
