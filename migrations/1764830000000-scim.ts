import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/**
 * SCIM provisioning: the clients (an IdP each, known by the hash of its bearer token), the members each client
 * manages (with the client's externalId, unique per client), and the client's groups with their members.
 */
export class Scim1764830000000 implements MigrationInterface {
  name = 'Scim1764830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
    const time = (name: string, isNullable = false): TableColumnOptions => ({ name, type: t.timestamp, isNullable });
    const cascade = (column: string, table: string) => ({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE' });
    const tables = [
      new Table({
        name: 'scim_clients',
        columns: [
          { ...str('id', 36), isPrimary: true }, str('name', 64), str('token_hash', 64), time('created_at'), time('rotated_at', true),
          time('revoked_at', true), time('last_used_at', true),
        ],
        indices: [
          new TableIndex({ name: 'scim_clients_name_uq', columnNames: ['name'], isUnique: true }),
          new TableIndex({ name: 'scim_clients_token_uq', columnNames: ['token_hash'], isUnique: true }),
        ],
      }),
      new Table({
        name: 'scim_users',
        columns: [
          { ...str('member_id', 36), isPrimary: true }, str('client_id', 36), str('external_id', 255, true), str('user_name', 320),
          str('user_name_normalized', 320), { name: 'version', type: 'integer' }, time('created_at'), time('updated_at'),
        ],
        foreignKeys: [cascade('member_id', 'members'), cascade('client_id', 'scim_clients')],
        indices: [
          new TableIndex({ name: 'scim_users_external_uq', columnNames: ['client_id', 'external_id'], isUnique: true }),
          new TableIndex({ name: 'scim_users_user_name_uq', columnNames: ['client_id', 'user_name_normalized'], isUnique: true }),
        ],
      }),
      new Table({
        name: 'scim_groups',
        columns: [
          { ...str('id', 36), isPrimary: true }, str('client_id', 36), str('display_name', 100), str('display_name_normalized', 100),
          str('external_id', 255, true), { name: 'version', type: 'integer' }, time('created_at'), time('updated_at'),
        ],
        foreignKeys: [cascade('client_id', 'scim_clients')],
        indices: [
          new TableIndex({ name: 'scim_groups_name_uq', columnNames: ['client_id', 'display_name_normalized'], isUnique: true }),
          new TableIndex({ name: 'scim_groups_external_uq', columnNames: ['client_id', 'external_id'], isUnique: true }),
        ],
      }),
      new Table({
        name: 'scim_group_members',
        columns: [{ ...str('group_id', 36), isPrimary: true }, { ...str('member_id', 36), isPrimary: true }],
        foreignKeys: [cascade('group_id', 'scim_groups'), cascade('member_id', 'members')],
        indices: [new TableIndex({ name: 'scim_group_members_member_idx', columnNames: ['member_id'] })],
      }),
    ];
    for (const table of tables) await queryRunner.createTable(table, false, true, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ['scim_group_members', 'scim_groups', 'scim_users', 'scim_clients']) await queryRunner.dropTable(name, true);
  }
}
