/**
 * jest.config.js's testTimeout is for tests that run in the test's own process. A test that starts processes (the
 * built CLI, a server, Chromium, nginx) pays for Node's start, module loading and a database connection in each,
 * and on a busy 2-core machine that alone can take many seconds a process.
 */
export const PROCESS_TEST_TIMEOUT = 300_000;

/** Two server replicas starting at once on an empty database, then a load of claims across them. */
export const REPLICA_TEST_TIMEOUT = 900_000;

/** Gives every test and hook of the calling test file `ms` instead of the default. */
export function allowForProcesses(ms = PROCESS_TEST_TIMEOUT): void {
  import.meta.jest.setTimeout(ms);
}
