import { Command } from 'commander';
import { sendDueReminders } from '../../reminders/send-reminders.js';
import { printJson, withRuntime } from '../context.js';

export function remindersCommand(): Command {
  return new Command('reminders')
    .description('Send the reminders that are due now (the server also does this on its own, every reminders.checkEvery).')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const sent = await withRuntime((runtime) => sendDueReminders(runtime));
      if (options.json) printJson({ sent });
      else process.stdout.write(`Sent ${sent} reminder${sent === 1 ? '' : 's'}.\n`);
    });
}
