import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/**
 * One table for the short-lived store without Redis (src/store/sql-store.ts): sessions, single-use SSO values,
 * outstanding SAML requests and rate-limit counters, each under its namespace's key prefix. It replaces the three
 * tables each of them had; sessions held in the old table end (their members sign in again once).
 */
export class ShortLivedStore1764600000000 implements MigrationInterface {
  name = 'ShortLivedStore1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'short_lived',
        columns: [
          { name: 'key', type: 'varchar', length: '512', isPrimary: true },
          { name: 'value', type: 'text', isNullable: true },
          { name: 'count', type: 'integer', default: 0 },
          // Milliseconds since the epoch, from the runtime's clock: compared the same way on both engines.
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'short_lived_expires_idx', columnNames: ['expires_at'] })],
      }),
      false,
      true,
      true,
    );
    for (const table of ['sessions', 'sso_once', 'saml_requests']) await queryRunner.dropTable(table, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    const expiring = (name: string, key: { name: string; length: string }, columns: Array<{ name: string; type: string }>, expiresType: string) =>
      new Table({
        name,
        columns: [{ ...key, type: 'varchar', isPrimary: true }, ...columns, { name: 'expires_at', type: expiresType }],
        indices: [new TableIndex({ name: `${name}_expires_idx`, columnNames: ['expires_at'] })],
      });
    await queryRunner.createTable(expiring('sessions', { name: 'sid', length: '255' }, [{ name: 'data', type: 'text' }], t.timestamp), true);
    await queryRunner.createTable(expiring('sso_once', { name: 'key', length: '128' }, [], t.timestamp), true);
    await queryRunner.createTable(expiring('saml_requests', { name: 'id', length: '128' }, [{ name: 'value', type: 'text' }], 'bigint'), true);
    await queryRunner.dropTable('short_lived', true);
  }
}
