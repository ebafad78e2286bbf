const DAY_MS = 24 * 60 * 60 * 1000;


/**
 * The window of issue times for which `day` is the due reminder: passed `day`, not yet the next configured day. A
 * member invited before reminders were switched on gets the latest reminder due, not all the missed ones at once.
 */
export function issuedWindow(days: number[], day: number, now: Date): { from: Date | null; until: Date } {
  const later = days.filter((other) => other > day);
  const next = later.length ? Math.min(...later) : null;
  return {
    until: new Date(now.getTime() - day * DAY_MS),
    from: next === null ? null : new Date(now.getTime() - next * DAY_MS),
  };
}
