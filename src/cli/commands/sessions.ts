import { Command } from 'commander';
import { requireNewPassword, signOutEverywhere } from '../../members/session-actions.js';
import { findMemberByRef } from '../../members/member-ref.js';
import { browserName } from '../../session/browser-name.js';
import { listMemberSessions } from '../../session/member-sessions.js';
import { CLI_ACTOR, CliFailure, printJson, withRuntime } from '../context.js';
import { memberActionCommand } from './member-action.js';

export function signOutEverywhereCommand() {
  return memberActionCommand({
    name: 'sign-out-everywhere',
    description: 'End every session of a member at once, on every replica; open WebSocket connections close.',
    resultStatus: 'signed_out',
    done: 'Signed out everywhere:',
    act: async (runtime, memberId) => {
      await signOutEverywhere(runtime, memberId, CLI_ACTOR);
    },
  });
}

export function requireNewPasswordCommand() {
  return memberActionCommand({
    name: 'require-new-password',
    description: 'Make a claimed password member choose a new password at their next sign-in, before anything else.',
    resultStatus: 'password_change_required',
    done: 'A new password is required at the next sign-in of',
    act: (runtime, memberId) => requireNewPassword(runtime, memberId, CLI_ACTOR),
  });
}

export function sessionsCommand() {
  return new Command('sessions')
    .description('List where a member is signed in: when, from which address, with which browser.')
    .argument('<member>', 'member id, email or employee ID')
    .option('--json', 'print one JSON object per session')
    .action(async (ref: string, options: { json?: boolean }) => {
      const sessions = await withRuntime(async (runtime) => {
        const member = await findMemberByRef(runtime.db, ref);
        if (!member) throw new CliFailure(`no member ${ref}`);
        return listMemberSessions(runtime, member.id);
      });
      for (const s of sessions) {
        const browser = browserName(s.userAgent);
        if (options.json) printJson({ createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, address: s.address, userAgent: s.userAgent, browser });
        else process.stdout.write(`${s.createdAt.toISOString()}  last seen ${s.lastSeenAt.toISOString()}  ${s.address || '-'}  ${browser}\n`);
      }
      if (!options.json && !sessions.length) process.stdout.write(`${ref} is not signed in anywhere.\n`);
    });
}
