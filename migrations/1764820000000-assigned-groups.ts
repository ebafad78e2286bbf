import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypes, type Engine } from '../src/db/column-types.js';

/**
 * Groups the organisation assigns live apart from the groups members chose at first access: access decisions read
 * only `group_assignments`. Every existing membership stays where it is, a chosen one, so nobody gains access.
 * Existing groups stay selectable (members could choose them before); groups first created by an assignment are not.
 */
export class AssignedGroups1764820000000 implements MigrationInterface {
  name = 'AssignedGroups1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = columnTypes(queryRunner.connection.options.type as Engine);
    await queryRunner.addColumn('groups', new TableColumn({ name: 'selectable', type: 'boolean', isNullable: false, default: true }));
    await queryRunner.createTable(new Table({
      name: 'group_assignments',
      columns: [
        { name: 'member_id', type: 'varchar', length: '36', isPrimary: true },
        { name: 'group_id', type: 'varchar', length: '36', isPrimary: true },
        // `admin`, `import`, `sso:<provider>` or `scim:<client>`: each source replaces only its own set.
        { name: 'source', type: 'varchar', length: '80', isPrimary: true },
        { name: 'assigned_by', type: 'varchar', length: '64', isNullable: true },
        { name: 'created_at', type: t.timestamp },
      ],
      foreignKeys: [
        { columnNames: ['member_id'], referencedTableName: 'members', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        { columnNames: ['group_id'], referencedTableName: 'groups', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
      ],
      indices: [new TableIndex({ name: 'group_assignments_group_idx', columnNames: ['group_id'] })],
    }), false, true, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('group_assignments', true);
    await queryRunner.dropColumn('groups', 'selectable');
  }
}
