import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';

/**
 * Inserts a batch of members with one parameterised statement, values converted by the driver as TypeORM would.
 * The query builder's bookkeeping per parameter costs more than the database's own work on hundreds of rows, and
 * PostgreSQL binds a statement with thousands of parameters slowly: there each column travels as one array and
 * `unnest` turns the arrays back into rows.
 */
export async function insertMembers(db: Database, manager: EntityManager, members: MemberRow[]): Promise<void> {
  if (!members.length) return;
  const { driver } = db.source;
  const metadata = db.source.getMetadata(db.entities.Member);
  const { columns } = metadata;
  const table = driver.escape(metadata.tableName);
  const names = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const value = (member: MemberRow, index: number) => driver.preparePersistentValue(columns[index]!.getEntityValue(member), columns[index]!);

  if (db.engine === 'postgres') {
    const arrays = columns.map((_column, index) => members.map((member) => value(member, index)));
    const casts = columns.map((column, index) => `$${index + 1}::${driver.normalizeType(column)}[]`).join(', ');
    await manager.query(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${casts})`, arrays);
    return;
  }
  const row = `(${columns.map(() => '?').join(', ')})`;
  const parameters = members.flatMap((member) => columns.map((_column, index) => value(member, index)));
  await manager.query(`INSERT INTO ${table} (${names}) VALUES ${members.map(() => row).join(', ')}`, parameters);
}
