import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { Engine } from '../src/db/column-types.js';

/**
 * The audit table is append-only in the database itself: UPDATE, DELETE and TRUNCATE on audit_events are refused by
 * triggers, so neither a bug nor someone with the application's database credentials can rewrite history through
 * claimgate's connection. (A database owner can still drop the triggers: that leaves a trace in the schema.)
 */
export class AuditAppendOnly1764500000000 implements MigrationInterface {
  name = 'AuditAppendOnly1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = queryRunner.connection.options.type as Engine;
    if (engine === 'postgres') {
      await queryRunner.query(`
        CREATE OR REPLACE FUNCTION claimgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
        $$`);
      await queryRunner.query(`CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION claimgate_audit_append_only()`);
      await queryRunner.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION claimgate_audit_append_only()`);
      return;
    }
    // SQLite has no TRUNCATE: a DELETE without WHERE is the same statement and is refused by the DELETE trigger.
    await queryRunner.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END`);
    await queryRunner.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const engine = queryRunner.connection.options.type as Engine;
    if (engine === 'postgres') {
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events');
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events');
      await queryRunner.query('DROP FUNCTION IF EXISTS claimgate_audit_append_only()');
      return;
    }
    await queryRunner.query('DROP TRIGGER IF EXISTS audit_events_no_delete');
    await queryRunner.query('DROP TRIGGER IF EXISTS audit_events_no_update');
  }
}
