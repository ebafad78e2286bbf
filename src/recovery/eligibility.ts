import type { Config } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';

/**
 * Who can recover a password: a claimed member who signs in with a password here. SSO members' passwords live at
 * their identity provider; invited members claim instead; deactivated members cannot sign in at all.
 */
export function canRecoverPassword(config: Config, member: Pick<MemberRow, 'status' | 'loginMethod'>): boolean {
  return config.recovery.enabled && member.status === 'claimed' && member.loginMethod === 'password';
}
