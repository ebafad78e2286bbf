import { providerForEmail } from '../sso/providers.js';
import type { Config } from '../config/schema.js';
import type { LoginMethod } from '../db/rows.js';
import { IMPORT_COLUMNS } from './columns.js';
import type { MatchedRow } from './match-member.js';
import type { RowProblem } from './row-rules.js';

export type InviteWhen = 'now' | 'later';

export function memberEmail(row: MatchedRow): string | null {
  return row.values.email ?? row.member?.email ?? null;
}

/** As `invite` does it: a member without email is invited with an access code and signs in with a password. */
export function memberLoginMethod(row: MatchedRow, config: Config): LoginMethod {
  return row.values.loginMethod ?? row.member?.loginMethod ?? (memberEmail(row) ? config.members.defaultLoginMethod : 'password');
}

/** What would stop the member from ever claiming, and, when inviting now, what would stop the invitation. */
export function invitationProblems(row: MatchedRow, config: Config, invite: InviteWhen): RowProblem[] {
  const problems: RowProblem[] = [];
  const refuse = (message: string, key: string, params: Record<string, unknown> = {}) => problems.push({ kind: 'invalid', message, key: `admin.import.rows.${key}`, params });
  const email = memberEmail(row);
  if (row.values.loginMethod === 'sso' && !email) {
    refuse(`${IMPORT_COLUMNS.loginMethod} "sso" needs an ${IMPORT_COLUMNS.email}: single sign-on recognises members by their email`, 'ssoNeedsEmail', {
      column: IMPORT_COLUMNS.loginMethod, emailColumn: IMPORT_COLUMNS.email,
    });
  }
  if (invite === 'later') return problems;
  const status = row.member?.status;
  if (status === 'claimed' || status === 'deactivated') refuse(`the member is ${status} and cannot be invited`, status === 'claimed' ? 'memberClaimed' : 'memberDeactivated');
  if (email && !config.claim.methods.link) refuse('the member has an email, and claim links are switched off (claim.methods.link)', 'linksOff');
  if (!email && !config.claim.methods.accessCode) refuse('the member has no email, and access codes are switched off (claim.methods.accessCode)', 'codesOff');
  if (email && memberLoginMethod(row, config) === 'sso' && !providerForEmail(config, email)) {
    const domain = email.split('@')[1];
    refuse(`the member signs in with sso, and no single sign-on provider serves ${domain}`, 'noSsoProvider', { domain });
  }
  return problems;
}
