/** One fixed window of the runtime's clock: windows start at multiples of their length since the epoch. */
export interface ClockWindow {
  /** Names the window in a limiter key, so a new window starts a new count. */
  id: string;
  /** Milliseconds until the next window begins. */
  msLeft: number;
}

/**
 * The window of `windowMs` that `now` falls in. A count kept per window follows the runtime's clock rather than the
 * store's (Redis expiry, process timers): every replica agrees on the window, and a test moves to the next one by
 * advancing the clock instead of waiting for it.
 */
export function clockWindow(now: Date, windowMs: number): ClockWindow {
  const index = Math.floor(now.getTime() / windowMs);
  return { id: String(index), msLeft: (index + 1) * windowMs - now.getTime() };
}
