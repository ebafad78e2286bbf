import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg, { type Pool, type PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { insertPlan } from './bulk-insert.js';
import type { CopyOut, Dialect, SqlText } from './dialect.js';

/** A value, as the driver prepared it, as one cell of COPY's CSV: NULL unquoted and empty, anything else quoted. */
function copyCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (Buffer.isBuffer(value)) text = `\\x${value.toString('hex')}`;
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
}

const sql: SqlText = {
  text: (value) => pg.escapeLiteral(value),
  time: (value) => `${pg.escapeLiteral(value.toISOString())}::timestamptz`,
  isoTime: (column) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  firstCodePoint: (column) => `ascii(${column})`,
  firstOfEachGroup: (columns, from, key, order) =>
    `SELECT DISTINCT ON (${key}) ${Object.entries(columns).map(([name, expression]) => `${expression} AS ${name}`).join(', ')} FROM ${from} ORDER BY ${key}, ${order}`,
};

/** The pool behind TypeORM's driver: COPY and snapshots need connections of their own. */
const poolOf = (source: DataSource): Pool => (source.driver as unknown as { master: Pool }).master;

/**
 * Each SELECT as a COPY on a connection of its own, every one in a read-only transaction that shares the first one's
 * snapshot, streamed with backpressure.
 */
function copyOut(source: DataSource): CopyOut {
  return async function* copy(selects, read) {
    const pool = poolOf(source);
    const clients: PoolClient[] = [];
    let finished = false;
    try {
      let snapshot: string | undefined;
      for (let index = 0; index < selects.length; index++) {
        const client = await pool.connect();
        clients.push(client);
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT ${client.escapeLiteral(snapshot)}`);
        else if (selects.length > 1) snapshot = (await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot')).rows[0]!.snapshot;
      }
      const records = selects.map((select, index) => clients[index]!.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT csv)`)));
      yield* read(records);
      for (const client of clients) await client.query('COMMIT');
      finished = true;
    } finally {
      // A COPY left unread mid-stream leaves its connection unusable: the pool closes it instead of reusing it.
      for (const client of clients) client.release(finished ? undefined : new Error('copy stopped before the end'));
    }
  };
}

/** PostgreSQL: rows go in with one COPY and out with COPY streams; lists bind as one array parameter. */
export function postgresDialect(source: DataSource): Dialect {
  return {
    name: 'postgres',
    sql,
    concurrentTransactions: true,
    anyOf: (column, parameter) => `${column} = ANY(:${parameter})`,
    copyOut: copyOut(source),
    // The query builder's bookkeeping per parameter costs more than the database's own work on hundreds of rows, and
    // PostgreSQL binds a statement with thousands of parameters slowly: one COPY on the transaction's own connection.
    async bulkInsert(manager, entity, rows) {
      if (!rows.length) return;
      if (!manager.queryRunner) throw new Error('bulkInsert runs inside a transaction');
      const plan = insertPlan(source, entity);
      const client = (await manager.queryRunner.connect()) as PoolClient;
      let text = '';
      for (const row of rows) text += `${plan.values(row).map(copyCell).join(',')}\n`;
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${plan.table} (${plan.names}) FROM STDIN (FORMAT csv)`)));
    },
  };
}
