import { Command } from 'commander';
import { ConfigError, configPath, loadConfig } from '../../config/load.js';
import { printJson } from '../context.js';

export function configCommand(): Command {
  const config = new Command('config').description('Work with the configuration file.');
  config
    .command('check')
    .description('Validate the configuration (CLAIMGATE_CONFIG or config/claimgate.yaml) without starting; exit 1 names every error.')
    .option('--json', 'print the result as JSON')
    .action((options: { json?: boolean }) => {
      let parsed;
      try {
        parsed = loadConfig();
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        if (options.json) printJson({ ok: false, file: error.source, errors: error.problems });
        else process.stderr.write(`${error.message}\n`);
        process.exit(1);
      }
      const summary = {
        ok: true,
        file: configPath(),
        baseUrl: parsed.baseUrl,
        database: parsed.database.url ? 'postgres' : 'embedded',
        sessions: parsed.redis.url ? 'redis' : 'embedded',
        providers: parsed.sso.providers.map((provider) => `${provider.type}:${provider.id}`),
      };
      if (options.json) printJson(summary);
      else process.stdout.write(`Configuration OK: ${summary.file} (baseUrl: ${summary.baseUrl}, database: ${summary.database}, sessions: ${summary.sessions})\n`);
    });
  return config;
}
