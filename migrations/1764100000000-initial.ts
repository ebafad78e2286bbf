import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/** The first schema. Written with TypeORM's table builder so one migration serves SQLite and PostgreSQL alike. */
export class Initial1764100000000 implements MigrationInterface {
  name = 'Initial1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    const id = (name = 'id', length = 36): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isPrimary: true });
    const str = (name: string, length: number, isNullable = true): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
    const txt = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable });
    const time = (name: string, isNullable = false): TableColumnOptions => ({ name, type: t.timestamp, isNullable });
    const ref = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable });

    const tables = [
      new Table({
        name: 'members',
        columns: [
          id(), str('email', 320), str('email_normalized', 320), str('employee_id', 64), str('username', 64),
          str('username_normalized', 64), str('name', 200), str('first_name', 100), str('last_name', 100),
          str('title', 200), str('department', 200), str('location', 200), str('phone', 50), str('locale', 35),
          str('manager_email', 320), str('start_date', 10), str('login_method', 16, false), str('status', 16, false),
          txt('password_hash', true), ref('picture_id', true), time('created_at'), time('updated_at'),
          time('invited_at', true), time('claimed_at', true), time('deactivated_at', true),
        ],
        indices: [
          new TableIndex({ name: 'members_email_uq', columnNames: ['email_normalized'], isUnique: true }),
          new TableIndex({ name: 'members_employee_id_uq', columnNames: ['employee_id'], isUnique: true }),
          new TableIndex({ name: 'members_username_uq', columnNames: ['username_normalized'], isUnique: true }),
          new TableIndex({ name: 'members_status_idx', columnNames: ['status'] }),
        ],
      }),
      new Table({
        name: 'claim_links',
        columns: [id('id', 32), ref('member_id'), time('created_at'), time('expires_at'), time('revoked_at', true), time('used_at', true)],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ name: 'claim_links_member_idx', columnNames: ['member_id'] })],
      }),
      new Table({
        name: 'claim_flows',
        columns: [
          id(), ref('member_id'), str('link_id', 32), ref('access_code_id', true), str('method', 16, false), str('purpose', 16, false), txt('plan'),
          txt('completed'), txt('data'), str('state', 16, false), { name: 'version', type: 'integer' },
          time('created_at'), time('updated_at'), time('expires_at'), time('finished_at', true),
        ],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [
          new TableIndex({ name: 'claim_flows_member_idx', columnNames: ['member_id'] }),
          // At most one open flow per member and purpose, even when two browsers start at the same instant.
          new TableIndex({ name: 'claim_flows_open_uq', columnNames: ['member_id', 'purpose'], isUnique: true, where: 'finished_at IS NULL' }),
        ],
      }),
      new Table({
        name: 'terms_acceptances',
        columns: [id(), ref('member_id'), str('version', 64, false), str('locale', 35), time('accepted_at')],
        foreignKeys: [{ columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ name: 'terms_acceptances_member_idx', columnNames: ['member_id'] })],
      }),
      new Table({
        name: 'groups',
        columns: [id(), str('name', 100, false), str('name_normalized', 100, false), time('created_at')],
        indices: [new TableIndex({ name: 'groups_name_uq', columnNames: ['name_normalized'], isUnique: true })],
      }),
      new Table({
        name: 'memberships',
        columns: [
          { ...ref('member_id'), isPrimary: true }, { ...ref('group_id'), isPrimary: true }, time('created_at'),
        ],
        foreignKeys: [
          { columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['group_id'], referencedTableName: 'groups', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
      new Table({
        name: 'profile_pictures',
        columns: [
          id(), ref('member_id', true), ref('flow_id', true), str('content_type', 64, false),
          { name: 'width', type: 'integer' }, { name: 'height', type: 'integer' }, { name: 'bytes', type: t.binary },
          time('created_at'),
        ],
      }),
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'id', type: t.bigId, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          time('time'), str('event', 64, false), str('outcome', 16, false), str('actor_id', 64), ref('member_id', true),
          str('method', 16), str('ip', 64), str('user_agent', 512), str('request_id', 64), str('trace_id', 32), txt('details'),
        ],
        indices: [
          new TableIndex({ name: 'audit_events_member_idx', columnNames: ['member_id'] }),
          new TableIndex({ name: 'audit_events_time_idx', columnNames: ['time'] }),
        ],
      }),
      new Table({
        name: 'sessions',
        columns: [{ name: 'sid', type: 'varchar', length: '255', isPrimary: true }, txt('data'), time('expires_at')],
        indices: [new TableIndex({ name: 'sessions_expires_idx', columnNames: ['expires_at'] })],
      }),
    ];
    for (const table of tables) await queryRunner.createTable(table, false, true, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ['sessions', 'audit_events', 'profile_pictures', 'memberships', 'groups', 'terms_acceptances', 'claim_flows', 'claim_links', 'members']) {
      await queryRunner.dropTable(name, true);
    }
  }
}
