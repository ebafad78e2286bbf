import { TableColumn, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLES = ['import_uploads', 'export_jobs'] as const;

/**
 * Imports and exports a service token starts belong to the token, not to a person: `admin_id` becomes optional and
 * `token_id` names the token. Exactly one of the two is set; only that caller can read the file.
 */
export class TokenOwnedFiles1764870000000 implements MigrationInterface {
  name = 'TokenOwnedFiles1764870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const sqlite = queryRunner.connection.options.type !== 'postgres';
    // SQLite rebuilds a table to change a column; dropping the old export_jobs would cascade to its chunks.
    if (sqlite) await queryRunner.query('CREATE TEMP TABLE export_chunks_kept AS SELECT * FROM export_chunks');
    for (const table of TABLES) {
      await queryRunner.addColumn(table, new TableColumn({ name: 'token_id', type: 'varchar', length: '36', isNullable: true }));
      await queryRunner.createForeignKey(table, new TableForeignKey({
        columnNames: ['token_id'], referencedTableName: 'service_tokens', referencedColumnNames: ['id'], onDelete: 'CASCADE',
      }));
      const existing = (await queryRunner.getTable(table))!.findColumnByName('admin_id')!;
      const optional = existing.clone();
      optional.isNullable = true;
      await queryRunner.changeColumn(table, existing, optional);
    }
    if (sqlite) {
      await queryRunner.query('INSERT OR IGNORE INTO export_chunks SELECT * FROM export_chunks_kept');
      await queryRunner.query('DROP TABLE export_chunks_kept');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await queryRunner.query(`DELETE FROM ${table} WHERE admin_id IS NULL`);
      const existing = (await queryRunner.getTable(table))!.findColumnByName('admin_id')!;
      const required = existing.clone();
      required.isNullable = false;
      await queryRunner.changeColumn(table, existing, required);
      await queryRunner.dropColumn(table, 'token_id');
    }
  }
}
