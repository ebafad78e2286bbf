import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Database } from './database.js';

/**
 * The chosen properties of the rows of `entity` that match `where` (SQL on the table's column names, with named
 * parameters as `escapeQueryWithParameters` binds them), hydrated as TypeORM would. Without the query builder's
 * bookkeeping, which for hundreds of parameters costs more than the lookup itself.
 */
export async function selectRows<T extends ObjectLiteral, K extends keyof T & string>(
  db: Database, entity: EntityTarget<T>, properties: readonly K[], where: string, parameters: Record<string, unknown>,
): Promise<Array<Pick<T, K>>> {
  const { driver } = db.source;
  const metadata = db.source.getMetadata(entity);
  const columns = metadata.columns.filter((column) => (properties as readonly string[]).includes(column.propertyName));
  const list = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  const raw: Array<Record<string, unknown>> = await db.source.query(
    ...driver.escapeQueryWithParameters(`SELECT ${list} FROM ${driver.escape(metadata.tableName)} WHERE ${where}`, parameters),
  );
  return raw.map((row) => {
    const result: Record<string, unknown> = {};
    for (const column of columns) result[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
    return result as Pick<T, K>;
  });
}
