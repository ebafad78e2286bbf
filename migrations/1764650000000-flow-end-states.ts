import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claim flows name how they ended: a flow that finished with its claim or re-acceptance written was left at `done`;
 * it is `completed` now (`done` means every step is saved and the completion is still to come).
 */
export class FlowEndStates1764650000000 implements MigrationInterface {
  name = 'FlowEndStates1764650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE claim_flows SET state = 'completed' WHERE state = 'done' AND finished_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Expired flows keep their name: the earlier code reads any finished flow as over, whatever its state says.
    await queryRunner.query(`UPDATE claim_flows SET state = 'done' WHERE state = 'completed' AND finished_at IS NOT NULL`);
  }
}
