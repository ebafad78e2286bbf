import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createTestDatabase } from './databases.js';
import { testConfigInput } from './harness.js';

/** A migrated database of the mode under test (SQLite, or PostgreSQL with DATABASE_URL), without the rest of the runtime. */
export async function openTestDatabase(): Promise<{ db: Database; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'claimgate-test-'));
  const database = await createTestDatabase();
  const db = await openDatabase(parseConfig(testConfigInput(dataDir, database.url), 'test'));
  return {
    db,
    async close() {
      await db.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
