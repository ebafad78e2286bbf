import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/** Admin work: people list ordering, uploaded imports awaiting confirmation, export jobs and their files, reminders sent. */
export class Admin1764400000000 implements MigrationInterface {
  name = 'Admin1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    const memberRef = (name: string, nullable = false) => ({ name, type: 'varchar', length: '36', isNullable: nullable });
    await queryRunner.createIndices('members', [
      new TableIndex({ name: 'members_created_idx', columnNames: ['created_at', 'id'] }),
      new TableIndex({ name: 'members_status_created_idx', columnNames: ['status', 'created_at', 'id'] }),
    ]);
    const tables = [
      new Table({
        name: 'import_uploads',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          memberRef('admin_id'),
          { name: 'file_name', type: 'varchar', length: '255' },
          { name: 'content', type: t.binary },
          { name: 'size', type: 'integer' },
          { name: 'created_at', type: t.timestamp },
          { name: 'expires_at', type: t.timestamp },
          { name: 'applied_at', type: t.timestamp, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['admin_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
      new Table({
        name: 'export_jobs',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          memberRef('admin_id'),
          { name: 'filter', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'row_count', type: 'integer', default: 0 },
          { name: 'bytes', type: t.bigId, default: 0 },
          { name: 'error', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: t.timestamp },
          { name: 'run_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'started_at', type: t.timestamp, isNullable: true },
          { name: 'finished_at', type: t.timestamp, isNullable: true },
          { name: 'expires_at', type: t.timestamp },
          { name: 'downloaded_at', type: t.timestamp, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['admin_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ name: 'export_jobs_state_idx', columnNames: ['state', 'created_at'] })],
      }),
      new Table({
        name: 'export_chunks',
        columns: [
          { name: 'job_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'data', type: t.binary },
        ],
        foreignKeys: [{ columnNames: ['job_id'], referencedTableName: 'export_jobs', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
      new Table({
        name: 'reminders_sent',
        columns: [
          { name: 'link_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'day', type: 'integer', isPrimary: true },
          memberRef('member_id'),
          { name: 'sent_at', type: t.timestamp },
        ],
        foreignKeys: [
          { columnNames: ['link_id'], referencedTableName: 'claim_links', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    ];
    for (const table of tables) await queryRunner.createTable(table, false, true, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ['reminders_sent', 'export_chunks', 'export_jobs', 'import_uploads']) await queryRunner.dropTable(name, true);
    await queryRunner.dropIndex('members', 'members_status_created_idx');
    await queryRunner.dropIndex('members', 'members_created_idx');
  }
}
