import { RateLimiterMemory } from 'rate-limiter-flexible';
import { isFirstAt } from '../../src/http/rate-limits.js';

describe('when a limit first bites', () => {
  const limiter = new RateLimiterMemory({ points: 3, duration: 60 });

  it('reached: only the point that used up the budget', () => {
    expect([1, 2, 3, 4, 5].map((consumed) => isFirstAt(limiter, consumed, 'reached'))).toEqual([false, false, true, false, false]);
  });

  it('exceeded: only the first point refused', () => {
    expect([1, 2, 3, 4, 5].map((consumed) => isFirstAt(limiter, consumed, 'exceeded'))).toEqual([false, false, false, true, false]);
  });
});
