import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './database.js';

/** How rows of one entity are inserted: its table and columns (escaped), and each row's values as the driver prepares them. */
export interface InsertPlan<T> {
  table: string;
  /** The column list, escaped and joined. */
  names: string;
  columnCount: number;
  /** The row's values in column order, converted by the driver as TypeORM would. */
  values(row: Partial<T>): unknown[];
}

/** The insert plan of `entity`: every column but the generated ones (an increment id), which the database fills. */
export function insertPlan<T extends ObjectLiteral>(source: DataSource, entity: EntityTarget<T>): InsertPlan<T> {
  const { driver } = source;
  const metadata = source.getMetadata(entity);
  const columns = metadata.columns.filter((column) => !column.isGenerated);
  return {
    table: driver.escape(metadata.tableName),
    names: columns.map((column) => driver.escape(column.databaseName)).join(', '),
    columnCount: columns.length,
    values: (row) => columns.map((column) => driver.preparePersistentValue(column.getEntityValue(row), column)),
  };
}

/** Inserts many rows of one entity in the transaction of `manager`, as few statements as the engine allows. */
export function bulkInsert<T extends ObjectLiteral>(db: Database, manager: EntityManager, entity: EntityTarget<T>, rows: Array<Partial<T>>): Promise<void> {
  return db.dialect.bulkInsert(manager, entity, rows);
}
