import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Engine } from '../src/db/column-types.js';

/**
 * The audit table's one way out: `claimgate audit archive` exports a range of rows, records the export in
 * `audit_archives` (itself append-only), then deletes exactly that range. The triggers let a DELETE through only for
 * rows an archive record covers; on PostgreSQL also only inside a transaction that set `claimgate.audit_archive`,
 * which the archive command does and the server never does. Updates and TRUNCATE stay refused.
 */
export class AuditArchive1764700000000 implements MigrationInterface {
  name = 'AuditArchive1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = queryRunner.connection.options.type as Engine;
    const types = engine === 'postgres' ? { id: 'bigint', time: 'timestamptz', serial: 'bigserial' } : { id: 'integer', time: 'datetime', serial: 'integer' };
    await queryRunner.query(`CREATE TABLE audit_archives (
      id ${types.serial} PRIMARY KEY${engine === 'postgres' ? '' : ' AUTOINCREMENT'},
      archived_at ${types.time} NOT NULL,
      archived_before ${types.time} NOT NULL,
      through_id ${types.id} NOT NULL,
      row_count integer NOT NULL,
      sha256 varchar(64) NOT NULL,
      file text NOT NULL
    )`);
    if (engine === 'postgres') {
      await queryRunner.query(`
        CREATE OR REPLACE FUNCTION claimgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events'
            AND current_setting('claimgate.audit_archive', true) = 'on'
            AND EXISTS (SELECT 1 FROM audit_archives WHERE OLD.id <= through_id) THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
        END
        $$`);
      await queryRunner.query(`CREATE TRIGGER audit_archives_no_change BEFORE UPDATE OR DELETE ON audit_archives
        FOR EACH ROW EXECUTE FUNCTION claimgate_audit_append_only()`);
      await queryRunner.query(`CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives
        FOR EACH STATEMENT EXECUTE FUNCTION claimgate_audit_append_only()`);
      return;
    }
    await queryRunner.query('DROP TRIGGER audit_events_no_delete');
    await queryRunner.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      WHEN NOT EXISTS (SELECT 1 FROM audit_archives WHERE OLD.id <= through_id)
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END`);
    await queryRunner.query(`CREATE TRIGGER audit_archives_no_update BEFORE UPDATE ON audit_archives
      BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only: UPDATE refused'); END`);
    await queryRunner.query(`CREATE TRIGGER audit_archives_no_delete BEFORE DELETE ON audit_archives
      BEGIN SELECT RAISE(ABORT, 'audit_archives is append-only: DELETE refused'); END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const engine = queryRunner.connection.options.type as Engine;
    if (engine === 'postgres') {
      await queryRunner.query('DROP TABLE audit_archives');
      await queryRunner.query(`
        CREATE OR REPLACE FUNCTION claimgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
        $$`);
      return;
    }
    await queryRunner.query('DROP TRIGGER audit_events_no_delete');
    await queryRunner.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END`);
    await queryRunner.query('DROP TABLE audit_archives');
  }
}
