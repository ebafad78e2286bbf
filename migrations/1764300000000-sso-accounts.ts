import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/** Members linked to SSO identities, and single-use markers for SSO answers. */
export class SsoAccounts1764300000000 implements MigrationInterface {
  name = 'SsoAccounts1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    await queryRunner.createTable(
      new Table({
        name: 'sso_accounts',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'member_id', type: 'varchar', length: '36' },
          { name: 'provider_id', type: 'varchar', length: '64' },
          { name: 'issuer', type: 'varchar', length: '512' },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'created_at', type: t.timestamp },
          { name: 'last_used_at', type: t.timestamp },
        ],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [
          new TableIndex({ name: 'sso_accounts_identity_uq', columnNames: ['issuer', 'subject'], isUnique: true }),
          // One identity per member and issuer: a second person at the same provider can never take the account over.
          new TableIndex({ name: 'sso_accounts_member_issuer_uq', columnNames: ['member_id', 'issuer'], isUnique: true }),
        ],
      }),
      false,
      true,
      true,
    );
    await queryRunner.createTable(
      new Table({
        name: 'sso_once',
        columns: [
          { name: 'key', type: 'varchar', length: '128', isPrimary: true },
          { name: 'expires_at', type: t.timestamp },
        ],
        indices: [new TableIndex({ name: 'sso_once_expires_idx', columnNames: ['expires_at'] })],
      }),
      false,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sso_once', true);
    await queryRunner.dropTable('sso_accounts', true);
  }
}
