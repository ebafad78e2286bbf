import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/**
 * Machines talking to claimgate: webhook endpoints, the outbox of events to deliver to them (one row per endpoint and
 * audit event, written in the audit row's transaction), every delivery attempt, and service tokens for the admin API.
 */
export class Integrations1764860000000 implements MigrationInterface {
  name = 'Integrations1764860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    const time = (name: string, nullable = false) => ({ name, type: t.timestamp, isNullable: nullable });
    const str = (name: string, length: number, nullable = false) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const tables = [
      new Table({
        name: 'webhook_endpoints',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          str('name', 64), { name: 'url', type: 'text' }, { name: 'events', type: 'text' }, str('source', 16), str('state', 16),
          { name: 'secret_sealed', type: 'text', isNullable: true }, { name: 'previous_secret_sealed', type: 'text', isNullable: true },
          time('previous_until', true), time('failing_since', true), time('disabled_at', true), time('created_at'), time('updated_at'),
        ],
        indices: [new TableIndex({ name: 'webhook_endpoints_name_idx', columnNames: ['name'], isUnique: true })],
      }),
      new Table({
        name: 'webhook_messages',
        columns: [
          { name: 'id', type: t.bigId, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          str('endpoint_id', 36), str('msg_id', 40), str('event', 64), str('member_key', 36, true), { name: 'payload', type: 'text' },
          str('state', 16), { name: 'attempts', type: 'integer', default: 0 }, { name: 'last_status', type: 'integer', isNullable: true },
          time('created_at'), time('next_attempt_at'), time('lease_until', true), time('delivered_at', true),
        ],
        foreignKeys: [{ columnNames: ['endpoint_id'], referencedTableName: 'webhook_endpoints', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
        indices: [
          new TableIndex({ name: 'webhook_messages_due_idx', columnNames: ['state', 'next_attempt_at'] }),
          new TableIndex({ name: 'webhook_messages_order_idx', columnNames: ['endpoint_id', 'member_key', 'state', 'id'] }),
          new TableIndex({ name: 'webhook_messages_msg_idx', columnNames: ['msg_id'] }),
        ],
      }),
      new Table({
        name: 'webhook_attempts',
        columns: [
          { name: 'id', type: t.bigId, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'message_id', type: t.bigId }, str('endpoint_id', 36), time('attempted_at'),
          { name: 'status', type: 'integer', isNullable: true }, { name: 'duration_ms', type: 'integer' }, str('error', 200, true),
          time('next_attempt_at', true),
        ],
        foreignKeys: [
          { columnNames: ['message_id'], referencedTableName: 'webhook_messages', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { columnNames: ['endpoint_id'], referencedTableName: 'webhook_endpoints', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        indices: [new TableIndex({ name: 'webhook_attempts_endpoint_idx', columnNames: ['endpoint_id', 'id'] })],
      }),
      new Table({
        name: 'service_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          str('name', 48), str('prefix', 16), str('token_hash', 64), { name: 'permissions', type: 'text' },
          time('created_at'), time('expires_at', true), time('revoked_at', true), time('last_used_at', true),
        ],
        indices: [
          new TableIndex({ name: 'service_tokens_hash_idx', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'service_tokens_name_idx', columnNames: ['name'], isUnique: true }),
        ],
      }),
    ];
    for (const table of tables) await queryRunner.createTable(table, false, true, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ['service_tokens', 'webhook_attempts', 'webhook_messages', 'webhook_endpoints']) await queryRunner.dropTable(name);
  }
}
