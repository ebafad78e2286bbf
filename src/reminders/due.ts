const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The reminder a link is due for now: the latest configured day that has passed since it was issued. A member invited
 * before reminders were switched on gets one reminder, not all the missed ones at once.
 */
export function dueReminderDay(days: number[], issuedAt: Date, now: Date): number | null {
  const age = now.getTime() - issuedAt.getTime();
  const passed = days.filter((day) => day * DAY_MS <= age);
  return passed.length ? Math.max(...passed) : null;
}

/** The window of issue times for which `day` is the due reminder: passed `day`, not yet the next configured day. */
export function issuedWindow(days: number[], day: number, now: Date): { from: Date | null; until: Date } {
  const later = days.filter((other) => other > day);
  const next = later.length ? Math.min(...later) : null;
  return {
    until: new Date(now.getTime() - day * DAY_MS),
    from: next === null ? null : new Date(now.getTime() - next * DAY_MS),
  };
}
