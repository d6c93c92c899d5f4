/** The rule statistics page for compliance: hits, posts and reviewers' marks per rule. */
import { Hono } from 'hono';
import type { Store } from '../service/programs.js';
import { Layout } from '../ui/layout.js';
import { CATEGORY_LABEL, GATE_LABEL } from '../ui/highlight.js';
import type { UiEnv } from '../ui/components.js';

export function rulePages(store: Pick<Store, 'ruleStats'>) {
  const ui = new Hono<UiEnv>();

  ui.get('/ui/rules', async (c) => {
    const actor = c.get('actor');
    const stats = await store.ruleStats(actor);
    return c.html(
      <Layout title="规则统计" actor={actor}>
        <h1>规则命中统计</h1>
        <table>
          <thead>
            <tr>
              <th>规则</th>
              <th>审核关口</th>
              <th>类别</th>
              <th>命中次数</th>
              <th>涉及稿件</th>
              <th>误报</th>
              <th>确认</th>
              <th>误报率</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr>
                <td>
                  <code>{s.rule}</code>
                </td>
                <td>{GATE_LABEL[s.gate] ?? s.gate}</td>
                <td>{CATEGORY_LABEL[s.category] ?? s.category}</td>
                <td>{s.hits}</td>
                <td>{s.posts}</td>
                <td>{s.falsePositives}</td>
                <td>{s.confirmed}</td>
                <td>{s.falsePositiveRate == null ? (s.marks === 0 ? '—' : `样本不足（${s.marks} 次标记）`) : `${(s.falsePositiveRate * 100).toFixed(0)}%（${s.marks} 次标记）`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  return ui;
}
