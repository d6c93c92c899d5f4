import { describe, expect, it } from 'vitest';
import { wilsonLower } from '../../src/classifier/metrics.js';

describe('wilsonLower', () => {
  it('lies below the point estimate and tightens as the sample grows', () => {
    const small = wilsonLower(97, 100);
    const large = wilsonLower(970, 1000);
    expect(small).toBeLessThan(0.97);
    expect(large).toBeLessThan(0.97);
    expect(large).toBeGreaterThan(small);
  });

  it('matches the Wilson score bound computed by hand', () => {
    // p = 0.982, n = 680, z = 1.645: (p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n) ≈ 0.9717
    expect(wilsonLower(Math.round(0.982 * 680), 680)).toBeCloseTo(0.9717, 3);
    // A point estimate exactly at 0.97 over 680 posts does not clear 0.97 with confidence.
    expect(wilsonLower(Math.round(0.97 * 680), 680)).toBeLessThan(0.97);
  });

  it('handles the edges', () => {
    expect(wilsonLower(0, 0)).toBe(0);
    expect(wilsonLower(0, 50)).toBeCloseTo(0, 6);
    expect(wilsonLower(50, 50)).toBeLessThan(1);
    expect(wilsonLower(50, 50)).toBeGreaterThan(0.94);
  });
});
