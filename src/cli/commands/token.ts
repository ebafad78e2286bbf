import { Command, Option } from 'commander';
import { PERMISSIONS } from '../../config/schema.js';
import { createToken, listTokens, revokeToken } from '../../tokens/tokens.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

/** `claimgate token …`: service tokens for the admin API (Authorization: Bearer). */
export function tokenCommand(): Command {
  const command = new Command('token').description('Service tokens for machines calling the admin API: create (printed once), list, revoke.');

  command.command('create')
    .description('Create a token; it is printed once and stored only as a hash.')
    .requiredOption('--name <name>', 'who uses it, e.g. hr-sync (lower-case letters, digits, - and _)')
    .requiredOption('--permissions <list>', `comma-separated: ${PERMISSIONS.join(', ')}`)
    .option('--expires <duration>', 'lifetime, e.g. 90d (default: no expiry)')
    .addOption(new Option('--json', 'print one JSON object'))
    .action(async (options: { name: string; permissions: string; expires?: string; json?: boolean }) => {
      const permissions = options.permissions.split(',').map((permission) => permission.trim()).filter(Boolean);
      const unknown = permissions.filter((permission) => !(PERMISSIONS as readonly string[]).includes(permission));
      if (unknown.length) throw new CliFailure(`unknown permission ${unknown.join(', ')} (use ${PERMISSIONS.join(', ')})`);
      const created = await withRuntime((runtime) => createToken(runtime, { name: options.name, permissions: permissions as never, expiresIn: options.expires }, CLI_ACTOR));
      if (options.json) printJson(created);
      else process.stdout.write(`Created service token ${created.name} (${created.permissions.join(', ')}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}).\nToken (shown once, store it in the client's secret store):\n${created.token}\n`);
    });

  command.command('list')
    .description('Every token: name, prefix, permissions, expiry, last use, revocation.')
    .addOption(new Option('--json', 'one JSON object per line'))
    .action(async (options: { json?: boolean }) => {
      const tokens = await withRuntime((runtime) => listTokens(runtime));
      for (const token of tokens) {
        if (options.json) printJson(token);
        else process.stdout.write(`${token.name.padEnd(20)} ${token.prefix}…  ${token.permissions.join(',').padEnd(32)} ${token.revokedAt ? `revoked ${token.revokedAt}` : token.expiresAt ? `expires ${token.expiresAt}` : 'no expiry'}  last used ${token.lastUsedAt ?? 'never'}\n`);
      }
    });

  command.command('revoke')
    .description('Revoke a token: refused at once by every replica.')
    .argument('<token>', 'name or id')
    .addOption(new Option('--json', 'print one JSON object'))
    .action(async (name: string, options: { json?: boolean }) => {
      const token = await withRuntime((runtime) => revokeToken(runtime, name, CLI_ACTOR));
      if (options.json) printJson(token);
      else process.stdout.write(`Revoked ${token.name} (${token.prefix}…).\n`);
    });

  return command;
}
