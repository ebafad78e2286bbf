import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Outstanding SAML AuthnRequests without Redis: the request id (the InResponseTo the IdP must answer with) and the
 * SsoStart it was made for. The ACS arrives without the session cookie, so this row is all it has; deleting it
 * with RETURNING makes each request answerable once, on every process that shares the database.
 */
export class SamlReplay1764310000000 implements MigrationInterface {
  name = 'SamlReplay1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'saml_requests',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          // JSON: the provider, the request's IssueInstant and the SsoStart.
          { name: 'value', type: 'text' },
          // Milliseconds since the epoch: compared in SQL the same way on both engines.
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'saml_requests_expires_idx', columnNames: ['expires_at'] })],
      }),
      false,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('saml_requests', true);
  }
}
