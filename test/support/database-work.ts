import type { QueryRunner } from 'typeorm';
import type { Database } from '../../src/db/database.js';

export interface DatabaseWork {
  transactions: number;
  /** Every SQL statement sent, by its first word (SELECT, INSERT, UPDATE, BEGIN, …). */
  statements: Record<string, number>;
}

/** Runs `work` and counts what it asked of the database: transactions through `db.transaction`, and statements. */
export async function countDatabaseWork(db: Database, work: () => Promise<unknown>): Promise<DatabaseWork> {
  const tally: DatabaseWork = { transactions: 0, statements: {} };
  const wrapped = new WeakSet<QueryRunner>();
  const originalTransaction = db.transaction;
  const driver = db.source.driver;
  const originalCreateRunner = driver.createQueryRunner.bind(driver);
  const count = (sql: string) => {
    const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
    tally.statements[verb] = (tally.statements[verb] ?? 0) + 1;
  };
  const runners: Array<[QueryRunner, QueryRunner['query']]> = [];
  const wrap = (runner: QueryRunner) => {
    if (wrapped.has(runner)) return runner;
    wrapped.add(runner);
    const query = runner.query;
    runners.push([runner, query]);
    runner.query = ((sql: string, ...rest: unknown[]) => {
      count(sql);
      return (query as (...args: unknown[]) => unknown).call(runner, sql, ...rest);
    }) as QueryRunner['query'];
    return runner;
  };
  db.transaction = (fn) => {
    tally.transactions++;
    return originalTransaction(fn);
  };
  driver.createQueryRunner = ((mode) => wrap(originalCreateRunner(mode))) as typeof driver.createQueryRunner;
  // SQLite keeps one runner for the whole process: it may already exist.
  const shared = (driver as unknown as { queryRunner?: QueryRunner }).queryRunner;
  if (shared) wrap(shared);
  try {
    await work();
  } finally {
    db.transaction = originalTransaction;
    driver.createQueryRunner = originalCreateRunner;
    for (const [runner, query] of runners) runner.query = query;
  }
  return tally;
}
