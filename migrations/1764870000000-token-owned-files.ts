import { TableColumn, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLES = ['import_uploads', 'export_jobs'] as const;

/**
 * Imports and exports a service token starts belong to the token, not to a person: `admin_id` becomes optional and
 * `token_id` names the token. Exactly one of the two is set; only that caller can read the file.
 */
export class TokenOwnedFiles1764870000000 implements MigrationInterface {
  name = 'TokenOwnedFiles1764870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await keepingChunks(queryRunner, async () => {
      for (const table of TABLES) {
        await queryRunner.addColumn(table, new TableColumn({ name: 'token_id', type: 'varchar', length: '36', isNullable: true }));
        await queryRunner.createForeignKey(table, new TableForeignKey({
          columnNames: ['token_id'], referencedTableName: 'service_tokens', referencedColumnNames: ['id'], onDelete: 'CASCADE',
        }));
        await setAdminRequired(queryRunner, table, false);
      }
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await keepingChunks(queryRunner, async () => {
      for (const table of TABLES) {
        await queryRunner.query(`DELETE FROM ${table} WHERE admin_id IS NULL`);
        await setAdminRequired(queryRunner, table, true);
        await queryRunner.dropColumn(table, 'token_id');
      }
    });
  }
}

async function setAdminRequired(queryRunner: QueryRunner, table: string, required: boolean): Promise<void> {
  const existing = (await queryRunner.getTable(table))!.findColumnByName('admin_id')!;
  const changed = existing.clone();
  changed.isNullable = !required;
  await queryRunner.changeColumn(table, existing, changed);
}

/** SQLite rebuilds a table to change a column, and dropping the old export_jobs cascades to its chunks: keep them. */
async function keepingChunks(queryRunner: QueryRunner, work: () => Promise<void>): Promise<void> {
  const sqlite = queryRunner.connection.options.type !== 'postgres';
  if (sqlite) await queryRunner.query('CREATE TEMP TABLE export_chunks_kept AS SELECT * FROM export_chunks');
  await work();
  if (!sqlite) return;
  await queryRunner.query('INSERT OR IGNORE INTO export_chunks SELECT k.* FROM export_chunks_kept k JOIN export_jobs j ON j.id = k.job_id');
  await queryRunner.query('DROP TABLE export_chunks_kept');
}
