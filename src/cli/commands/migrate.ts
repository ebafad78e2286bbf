import { Command } from 'commander';
import { openDatabase } from '../../db/database.js';
import { configOrExit, printJson } from '../context.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations (the server also applies them at start).')
    .option('--json', 'print the applied migrations as JSON')
    .action(async (options: { json?: boolean }) => {
      const db = await openDatabase(configOrExit(), { migrate: false });
      try {
        const applied = await db.source.runMigrations({ transaction: 'each' });
        const names = applied.map((migration) => migration.name);
        if (options.json) printJson({ engine: db.dialect.name, applied: names });
        else process.stdout.write(names.length ? `Applied ${names.length} migration(s): ${names.join(', ')}\n` : 'Database is up to date.\n');
      } finally {
        await db.close();
      }
    });
}
