import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './database.js';

/** SQLite's limit on the parameters of one statement is 32766; each statement stays well below it. */
const SQLITE_PARAMETERS = 30_000;

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

/**
 * Inserts many rows of one entity with as few parameterised statements as it can, values converted by the driver as
 * TypeORM would; generated columns (an increment id) are left to the database. The query builder's bookkeeping per
 * parameter costs more than the database's own work on hundreds of rows, and PostgreSQL binds a statement with
 * thousands of parameters slowly: there the rows go in with one COPY, which needs the transaction's own connection
 * (every caller passes a transaction's manager).
 */
export async function bulkInsert<T extends ObjectLiteral>(db: Database, manager: EntityManager, entity: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void> {
  if (!rows.length) return;
  const { driver } = db.source;
  const metadata = db.source.getMetadata(entity);
  const columns = metadata.columns.filter((column) => !column.isGenerated);
  const table = driver.escape(metadata.tableName);
  const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const value = (row: Partial<T>, index: number) => driver.preparePersistentValue(columns[index]!.getEntityValue(row), columns[index]!);

  if (db.engine === 'postgres') {
    if (!manager.queryRunner) throw new Error('bulkInsert runs inside a transaction');
    const client = (await manager.queryRunner.connect()) as PoolClient;
    let text = '';
    for (const row of rows) {
      let line = copyCell(value(row, 0));
      for (let index = 1; index < columns.length; index++) line += `,${copyCell(value(row, index))}`;
      text += `${line}\n`;
    }
    await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN (FORMAT csv)`)));
    return;
  }
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(SQLITE_PARAMETERS / columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const slice = rows.slice(start, start + perStatement);
    const parameters = slice.flatMap((row) => columns.map((_column, index) => value(row, index)));
    await manager.query(`INSERT INTO ${table} (${names}) VALUES ${slice.map(() => placeholders).join(', ')}`, parameters);
  }
}
