import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Engine } from './column-types.js';

/**
 * SQL text that differs between the engines, for statements that take no parameters (COPY) or that compute a
 * value in the database.
 */
export interface SqlText {
  /** A quoted text literal. */
  text(value: string): string;
  /** A timestamp literal, comparable with the stored timestamps. */
  time(value: Date): string;
  /** A stored timestamp as the same text as `Date.prototype.toISOString()` (UTC, milliseconds). */
  isoTime(column: string): string;
  /** The code point of the first character of `column` (NULL or 0 for an empty text). */
  firstCodePoint(column: string): string;
  /**
   * A SELECT of the first row of each group of `from` (a FROM clause and its WHERE) in `order`, the groups in `key`
   * order; `columns` maps each output name to its expression.
   */
  firstOfEachGroup(columns: Record<string, string>, from: string, key: string, order: string): string;
}

/**
 * Reads the results of several SELECTs from one snapshot of the database, each as a stream of CSV records as
 * PostgreSQL's COPY writes them: records end with LF, a NULL is an empty unquoted cell, a cell is quoted (quotes
 * doubled) only when it holds a comma, a quote or a line break, or is an empty text.
 */
export type CopyOut = <T>(selects: string[], read: (records: Array<AsyncIterable<Buffer>>) => AsyncIterable<T>) => AsyncGenerator<T>;

/** What the features need of the storage engine, so that they never ask which one it is. */
export interface Dialect {
  /** For log lines and `migrate --json` only. */
  readonly name: Engine;
  readonly sql: SqlText;
  /**
   * Inserts many rows of one entity, values converted by the driver as TypeORM would; generated columns (an
   * increment id) are left to the database. Runs inside the transaction of `manager`.
   */
  bulkInsert<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void>;
  /**
   * `column` equals one of the values of the named parameter `parameter` (an array, bound with the driver's
   * `escapeQueryWithParameters`): one array parameter on PostgreSQL, a list of parameters on SQLite.
   */
  anyOf(column: string, parameter: string): string;
  /**
   * Whether two transactions can make progress at the same time (PostgreSQL's pool of connections). On SQLite's one
   * connection they take turns, so work that overlaps them would only wait.
   */
  readonly concurrentTransactions: boolean;
  /** Streamed copy out: see `CopyOut`. Memory stays flat however many rows there are; nothing else waits for it. */
  copyOut: CopyOut;
}
