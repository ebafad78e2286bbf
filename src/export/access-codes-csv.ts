import { In, IsNull, MoreThan } from 'typeorm';
import { isCodeUsable, printableCode } from '../access-codes/codes.js';
import type { AccessCodeRow } from '../db/rows.js';
import type { Runtime } from '../runtime.js';
import { csvRow } from './csv.js';
import { namedBy } from './withheld-admins.js';

export const ACCESS_CODE_COLUMNS = ['id', 'employee_id', 'name', 'status', 'access_code', 'access_code_expires_at'] as const;
const BATCH = 1000;

/**
 * Streams the current access code of every invited member who has one, for printing and handing out.
 * Codes are rebuilt from their ids with the server key; exporting changes nothing.
 */
export async function* accessCodesCsv(runtime: Runtime, withheld: string[] = []): AsyncGenerator<string> {
  const { db, keys } = runtime;
  const now = runtime.now();
  yield csvRow([...ACCESS_CODE_COLUMNS]);
  let after = '';
  for (;;) {
    const members = await db.source.manager.find(db.entities.Member, { where: { id: MoreThan(after), status: 'invited' }, order: { id: 'ASC' }, take: BATCH });
    if (!members.length) return;
    const codes = await db.source.manager.findBy(db.entities.AccessCode, { memberId: In(members.map((m) => m.id)), usedAt: IsNull(), revokedAt: IsNull() });
    const byMember = new Map<string, AccessCodeRow>();
    for (const code of codes) byMember.set(code.memberId, code);
    let chunk = '';
    for (const member of members) {
      const code = byMember.get(member.id);
      if (!code || !isCodeUsable(code, member, now) || namedBy(withheld, member)) continue;
      chunk += csvRow([member.id, member.employeeId, member.name, member.status, printableCode(keys, code), code.expiresAt.toISOString()]);
    }
    if (chunk) yield chunk;
    after = members[members.length - 1]!.id;
  }
}
