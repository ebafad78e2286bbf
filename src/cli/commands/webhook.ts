import { Command, Option } from 'commander';
import { AUDIT_EVENTS } from '../../audit/events.js';
import { listDeliveries } from '../../webhooks/deliveries.js';
import { createEndpoint, deleteEndpoint, findEndpoint, publicEndpoint, rotateEndpointSecret, setEndpointState } from '../../webhooks/endpoints.js';
import { newWebhookSecret } from '../../webhooks/secrets.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';

const json = () => new Option('--json', 'print JSON');

function eventList(value: string): string[] {
  const events = value.split(',').map((event) => event.trim()).filter(Boolean);
  const unknown = events.filter((event) => event !== '*' && !(AUDIT_EVENTS as readonly string[]).includes(event));
  if (unknown.length) throw new CliFailure(`unknown event ${unknown.join(', ')} (events are: ${AUDIT_EVENTS.join(', ')}, or *)`);
  return events;
}

/** `claimgate webhook …`: endpoints that receive signed events, their secrets and their delivery log. */
export function webhookCommand(): Command {
  const command = new Command('webhook').description('Manage webhook endpoints (Standard Webhooks): create, list, rotate secrets, enable, disable, delete, show deliveries.');

  command.command('create')
    .description('Add an endpoint; prints its signing secret once (it is stored sealed and never shown again).')
    .requiredOption('--name <name>', 'a short name: lower-case letters, digits, - and _')
    .requiredOption('--url <url>', 'where events are POSTed (http or https)')
    .option('--events <list>', 'comma-separated audit events, or * for all', '*')
    .addOption(json())
    .action(async (options: { name: string; url: string; events: string; json?: boolean }) => {
      const events = eventList(options.events);
      const created = await withRuntime((runtime) => createEndpoint(runtime, { name: options.name, url: options.url, events: events as never }, CLI_ACTOR));
      if (options.json) printJson(created);
      else process.stdout.write(`Created webhook endpoint ${created.endpoint.name} (${created.endpoint.id}) for ${created.endpoint.events.join(', ')}.\nSigning secret (shown once, give it to the receiver):\n${created.secret}\n`);
    });

  command.command('list')
    .description('Every endpoint, its events and whether it is active.')
    .addOption(json())
    .action(async (options: { json?: boolean }) => {
      const endpoints = await withRuntime(async (runtime) => (await runtime.db.source.manager.find(runtime.db.entities.WebhookEndpoint, { order: { name: 'ASC' } })).map(publicEndpoint));
      for (const endpoint of endpoints) {
        if (options.json) printJson(endpoint);
        else process.stdout.write(`${endpoint.name.padEnd(20)} ${endpoint.state.padEnd(9)} ${endpoint.source.padEnd(7)} ${endpoint.url}  events=${endpoint.events.join(',')}${endpoint.failingSince ? `  failing since ${endpoint.failingSince.toISOString()}` : ''}\n`);
      }
    });

  command.command('rotate')
    .description('Give an endpoint a new secret; the old one keeps signing too for webhooks.rotationOverlap (default 24h).')
    .argument('<endpoint>', 'name or id')
    .addOption(json())
    .action(async (name: string, options: { json?: boolean }) => {
      const rotated = await withRuntime((runtime) => rotateEndpointSecret(runtime, name, CLI_ACTOR));
      if (options.json) printJson(rotated);
      else process.stdout.write(`New signing secret for ${rotated.endpoint.name} (the old one also signs until ${rotated.previousSecretValidUntil.toISOString()}):\n${rotated.secret}\n`);
    });

  for (const [verb, state] of [['enable', 'active'], ['disable', 'disabled']] as const) {
    command.command(verb)
      .description(verb === 'enable' ? 'Turn an endpoint on again; its waiting messages are sent.' : 'Stop sending to an endpoint and queueing events for it.')
      .argument('<endpoint>', 'name or id')
      .addOption(json())
      .action(async (name: string, options: { json?: boolean }) => {
        const endpoint = await withRuntime((runtime) => setEndpointState(runtime, name, state, CLI_ACTOR));
        if (options.json) printJson(endpoint);
        else process.stdout.write(`${endpoint.name} is ${endpoint.state}.\n`);
      });
  }

  command.command('delete')
    .description('Remove an endpoint created by the CLI or API, with its queued messages and delivery log.')
    .argument('<endpoint>', 'name or id')
    .action(async (name: string) => {
      await withRuntime((runtime) => deleteEndpoint(runtime, name, CLI_ACTOR));
      process.stdout.write(`Deleted ${name}.\n`);
    });

  command.command('deliveries')
    .description('Recent messages and their delivery attempts (status, duration, next try), newest first.')
    .option('--endpoint <endpoint>', 'only this endpoint (name or id)')
    .addOption(new Option('--state <state>', 'only messages in this state').choices(['pending', 'delivered', 'failed']))
    .option('--limit <n>', 'at most this many messages', '50')
    .addOption(json())
    .action(async (options: { endpoint?: string; state?: 'pending' | 'delivered' | 'failed'; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliFailure('--limit must be a whole number from 1 to 1000');
      const page = await withRuntime(async (runtime) => {
        const endpointId = options.endpoint ? (await findEndpoint(runtime, options.endpoint)).id : undefined;
        return listDeliveries(runtime, { endpointId, state: options.state, limit });
      });
      for (const delivery of page.deliveries) {
        if (options.json) printJson(delivery);
        else {
          const last = delivery.tries.at(-1);
          process.stdout.write(`${delivery.createdAt}  ${delivery.webhookId}  ${String(delivery.endpoint).padEnd(16)} ${delivery.event.padEnd(24)} ${delivery.state.padEnd(9)} tries=${delivery.attempts}${last ? ` last=${last.status ?? last.error} ${last.durationMs}ms` : ''}${delivery.nextAttemptAt ? ` next=${delivery.nextAttemptAt}` : ''}\n`);
        }
      }
    });

  command.command('secret')
    .description('Print a new random secret for an endpoint kept in the configuration file (webhooks.endpoints[].secret).')
    .action(() => {
      process.stdout.write(`${newWebhookSecret()}\n`);
    });

  return command;
}
