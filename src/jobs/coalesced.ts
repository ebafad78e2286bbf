/**
 * Runs `task` one at a time; a call during a run asks for one more run after it (never more), so a wake-up that
 * arrives while the last round is finishing is not lost.
 */
export function coalesced(task: () => Promise<void>, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  let again = false;
  const wake = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = task().catch(onError).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
  };
  return { wake, idle: async () => {
    while (running) await running;
  } };
}
