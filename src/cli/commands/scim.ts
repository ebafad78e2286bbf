import { Command } from 'commander';
import { createScimClient, listScimClients, revokeScimToken, rotateScimToken, type IssuedToken } from '../../scim/tokens.js';
import { CLI_ACTOR, printJson, withRuntime } from '../context.js';

function showToken(issued: IssuedToken, json: boolean | undefined, baseUrl: string): void {
  if (json) return printJson({ name: issued.client.name, token: issued.token, tenantUrl: `${baseUrl}/scim/v2` });
  process.stdout.write(
    `SCIM client ${issued.client.name}\n  Tenant URL: ${baseUrl}/scim/v2\n  Secret token: ${issued.token}\n` +
    'The token is shown only this once: paste it into the identity provider now.\n',
  );
}

/** `claimgate scim token create|list|rotate|revoke`: the bearer tokens of provisioning clients. */
export function scimCommand(): Command {
  const token = new Command('token').description('Bearer tokens of SCIM provisioning clients (Entra ID, Okta, …).');
  token.command('create')
    .description('Create a client and print its token once (stored only as a hash).')
    .requiredOption('--name <name>', 'client name, e.g. entra or okta (lower-case letters, digits, . _ -)')
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; json?: boolean }) => {
      await withRuntime(async (runtime) => showToken(await createScimClient(runtime, options.name, CLI_ACTOR), options.json, runtime.config.baseUrl));
    });
  token.command('rotate')
    .description('Replace a client\'s token: the old one stops working at once.')
    .requiredOption('--name <name>', 'client name')
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; json?: boolean }) => {
      await withRuntime(async (runtime) => showToken(await rotateScimToken(runtime, options.name, CLI_ACTOR), options.json, runtime.config.baseUrl));
    });
  token.command('revoke')
    .description('Revoke a client\'s token; the members it provisioned stay.')
    .requiredOption('--name <name>', 'client name')
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; json?: boolean }) => {
      await withRuntime((runtime) => revokeScimToken(runtime, options.name, CLI_ACTOR));
      if (options.json) printJson({ name: options.name, revoked: true });
      else process.stdout.write(`Revoked the token of ${options.name}.\n`);
    });
  token.command('list')
    .description('List the clients (never their tokens).')
    .option('--json', 'print one JSON object per line')
    .action(async (options: { json?: boolean }) => {
      const clients = await withRuntime((runtime) => listScimClients(runtime));
      for (const client of clients) {
        const shown = {
          name: client.name, createdAt: client.createdAt.toISOString(), rotatedAt: client.rotatedAt?.toISOString() ?? null,
          revokedAt: client.revokedAt?.toISOString() ?? null, lastUsedAt: client.lastUsedAt?.toISOString() ?? null,
        };
        if (options.json) printJson(shown);
        else process.stdout.write(`${shown.name}\t${shown.revokedAt ? 'revoked' : 'active'}\tcreated ${shown.createdAt}\tlast used ${shown.lastUsedAt ?? 'never'}\n`);
      }
      if (!clients.length && !options.json) process.stdout.write('No SCIM clients.\n');
    });
  return new Command('scim').description('SCIM 2.0 provisioning clients.').addCommand(token);
}
