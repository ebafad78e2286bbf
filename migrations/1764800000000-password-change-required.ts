import type { MigrationInterface, QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/** When an admin asked a member to choose a new password at their next sign-in (null: nobody asked). */
export class PasswordChangeRequired1764800000000 implements MigrationInterface {
  name = 'PasswordChangeRequired1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    await queryRunner.query(`ALTER TABLE members ADD COLUMN password_change_required_at ${t.timestamp} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE members DROP COLUMN password_change_required_at');
  }
}
