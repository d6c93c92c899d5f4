import { describe, expect, it } from 'vitest';
import { chunkText } from '../../src/classifier/chunking.js';

describe('chunkText', () => {
  it('keeps short texts whole', () => {
    expect(chunkText('招聘会通知。', 100)).toEqual(['招聘会通知。']);
    expect(chunkText('', 100)).toEqual(['']);
  });

  it('packs whole sentences into windows no longer than the size', () => {
    const text = Array.from({ length: 40 }, (_, i) => `第${i}句话讲的是就业服务。`).join('');
    const windows = chunkText(text, 60);
    expect(windows[0]!.startsWith('第0句')).toBe(true);
    expect(windows.at(-1)!.endsWith('第39句话讲的是就业服务。')).toBe(true);
    // Overlapping windows: every sentence is in at least one and at most three.
    for (let i = 0; i < 40; i++) {
      const n = windows.filter((w) => w.includes(`第${i}句`)).length;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(3);
    }
    for (const w of windows) {
      expect(w.length).toBeLessThanOrEqual(60);
      expect(w.endsWith('。')).toBe(true);
    }
  });

  it('cuts a sentence longer than a window with overlap, never inside a surrogate pair', () => {
    const text = '赌😀'.repeat(200);
    const windows = chunkText(text, 50, 10);
    expect(windows.length).toBeGreaterThan(1);
    for (const w of windows) {
      expect(w.length).toBeLessThanOrEqual(50);
      expect(w).toBe(w.toWellFormed());
    }
    // Every character of the text lies in some window.
    expect(windows[0]!.startsWith('赌😀')).toBe(true);
    expect(text.endsWith(windows.at(-1)!)).toBe(true);
  });
});
