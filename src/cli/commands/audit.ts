import { Command, Option } from 'commander';
import { LessThan, type FindOptionsWhere } from 'typeorm';
import { AUDIT_EVENTS } from '../../audit/events.js';
import type { AuditRow } from '../../db/rows.js';
import { findMemberByRef } from '../../members/member-ref.js';
import { CliFailure, printJson, withRuntime } from '../context.js';
import { auditArchiveCommand } from './audit-archive.js';

interface AuditOptions {
  member?: string;
  event?: string;
  limit: string;
  json?: boolean;
}

export function auditCommand(): Command {
  return new Command('audit')
    .description('Print audit events, newest first.')
    .option('--member <ref>', 'only events about this member (id, email or employee ID)')
    .addOption(new Option('--event <name>', 'only this event').choices([...AUDIT_EVENTS]))
    .option('--limit <n>', 'at most this many events', '100')
    .option('--json', 'one JSON object per line')
    .addCommand(auditArchiveCommand())
    .action(async (options: AuditOptions) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliFailure('--limit must be a positive whole number');
      await withRuntime(async (runtime) => {
        const { db } = runtime;
        const where: FindOptionsWhere<AuditRow> = {};
        if (options.member) {
          const member = await findMemberByRef(db, options.member);
          if (!member) throw new CliFailure(`no member ${options.member}`);
          where.memberId = member.id;
        }
        if (options.event) where.event = options.event;
        let before: string | undefined;
        let left = limit;
        while (left > 0) {
          const rows = await db.source.manager.find(db.entities.AuditEvent, {
            where: before ? { ...where, id: LessThan(before) } : where,
            order: { id: 'DESC' },
            take: Math.min(left, 500),
          });
          for (const row of rows) {
            const event = { ...row, id: String(row.id), time: row.time.toISOString(), details: JSON.parse(row.details) as unknown };
            if (options.json) printJson(event);
            else process.stdout.write(`${event.time}  ${event.event.padEnd(22)} ${event.outcome.padEnd(8)} member=${event.memberId ?? '-'} actor=${event.actorId ?? '-'} ip=${event.ip ?? '-'}\n`);
          }
          if (rows.length < Math.min(left, 500)) break;
          left -= rows.length;
          before = rows[rows.length - 1]!.id;
        }
      });
    });
}
