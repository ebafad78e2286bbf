import type { DataSource } from 'typeorm';
import { insertPlan } from './bulk-insert.js';
import type { CopyOut, Dialect, SqlText } from './dialect.js';

/** SQLite's limit on the parameters of one statement is 32766; each statement stays well below it. */
const SQLITE_PARAMETERS = 30_000;
/** Records per chunk of a copy: the consumer gets the event loop back between chunks. */
const COPY_CHUNK = 250;

/** The part of better-sqlite3 that a copy uses (the package ships no types). */
interface ReadStatement {
  raw(toggle: boolean): ReadStatement;
  iterate(): IterableIterator<unknown[]>;
}
interface ReadConnection {
  exec(sql: string): void;
  prepare(sql: string): ReadStatement;
  close(): void;
}
type OpenConnection = new (file: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => ReadConnection;

const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;

const sql: SqlText = {
  text: quoted,
  // As the driver stores a timestamp: UTC, 'YYYY-MM-DD HH:MM:SS.SSS', which compares as text.
  time: (value) => quoted(value.toISOString().replace('T', ' ').replace('Z', '')),
  isoTime: (column) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column})`,
  firstCodePoint: (column) => `unicode(${column})`,
  firstOfEachGroup: (columns, from, key, order) => `SELECT ${Object.keys(columns).join(', ')} FROM (
      SELECT ${Object.entries(columns).map(([name, expression]) => `${expression} AS ${name}`).join(', ')}, ${key} AS group_key,
             row_number() OVER (PARTITION BY ${key} ORDER BY ${order}) AS place
      FROM ${from}
    ) WHERE place = 1 ORDER BY group_key`,
};

/** One cell as COPY's CSV writes it: NULL empty, a text quoted when it holds a comma, a quote or a line break, or is empty. */
function copyCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function* csvRecords(statement: ReadStatement): AsyncGenerator<Buffer> {
  let chunk = '';
  let count = 0;
  for (const row of statement.iterate()) {
    chunk += `${row.map(copyCell).join(',')}\n`;
    if (++count < COPY_CHUNK) continue;
    yield Buffer.from(chunk);
    chunk = '';
    count = 0;
  }
  if (chunk) yield Buffer.from(chunk);
}

/**
 * The SELECTs on a read-only connection of their own, in one read transaction: WAL gives it a snapshot that writers
 * on the main connection never wait for, and its statements step a chunk at a time as the consumer reads.
 */
function copyOut(source: DataSource): CopyOut {
  return async function* copy(selects, read) {
    const driver = source.driver as unknown as { sqlite: OpenConnection; options: { database: string } };
    const connection = new driver.sqlite(driver.options.database, { readonly: true, fileMustExist: true, timeout: 5000 });
    const streams: Array<AsyncGenerator<Buffer>> = [];
    try {
      connection.exec('BEGIN');
      for (const select of selects) streams.push(csvRecords(connection.prepare(select).raw(true)));
      yield* read(streams);
    } finally {
      // Each stream left mid-way closes its statement; closing the connection ends the read transaction.
      for (const stream of streams) await stream.return(undefined);
      connection.close();
    }
  };
}

/** SQLite: multi-row inserts within the parameter limit, lists as lists of parameters, copies read on a second connection. */
export function sqliteDialect(source: DataSource): Dialect {
  return {
    name: 'better-sqlite3',
    sql,
    concurrentTransactions: false,
    anyOf: (column, parameter) => `${column} IN (:...${parameter})`,
    copyOut: copyOut(source),
    async bulkInsert(manager, entity, rows) {
      if (!rows.length) return;
      const plan = insertPlan(source, entity);
      const placeholders = `(${Array.from({ length: plan.columnCount }, () => '?').join(', ')})`;
      const perStatement = Math.max(1, Math.floor(SQLITE_PARAMETERS / plan.columnCount));
      for (let start = 0; start < rows.length; start += perStatement) {
        const slice = rows.slice(start, start + perStatement);
        await manager.query(`INSERT INTO ${plan.table} (${plan.names}) VALUES ${slice.map(() => placeholders).join(', ')}`, slice.flatMap(plan.values));
      }
    },
  };
}
