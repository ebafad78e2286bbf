import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/**
 * Account recovery: recovery links (like claim links, only their random id is stored) and a purpose on access codes,
 * so that a recovery code for a member without email is an access code in every respect but what it opens.
 */
export class Recovery1764810000000 implements MigrationInterface {
  name = 'Recovery1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    await queryRunner.createTable(
      new Table({
        name: 'recovery_links',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'member_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: t.timestamp },
          { name: 'expires_at', type: t.timestamp },
          { name: 'revoked_at', type: t.timestamp, isNullable: true },
          { name: 'used_at', type: t.timestamp, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ name: 'recovery_links_member_idx', columnNames: ['member_id'] })],
      }),
      false,
      true,
      true,
    );
    await queryRunner.addColumn('access_codes', new TableColumn({ name: 'purpose', type: 'varchar', length: '16', default: "'claim'" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM access_codes WHERE purpose <> 'claim'`);
    await queryRunner.dropColumn('access_codes', 'purpose');
    await queryRunner.dropTable('recovery_links', true);
  }
}
