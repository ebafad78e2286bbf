import { newLinkId } from '../../src/claim/link-token.js';
import { isLinkUsable, usableLinkSql } from '../../src/claim/usable-link.js';
import type { Database } from '../../src/db/database.js';
import type { ClaimLinkRow, MemberStatus } from '../../src/db/rows.js';
import { newMemberRow } from '../../src/members/new-member.js';
import { openTestDatabase } from '../support/test-database.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

interface Case {
  why: string;
  status: MemberStatus;
  link: Pick<ClaimLinkRow, 'revokedAt' | 'usedAt' | 'expiresAt'>;
  usable: boolean;
}

const live = { revokedAt: null, usedAt: null, expiresAt: at(60_000) };
const CASES: Case[] = [
  { why: 'live link of an invited member', status: 'invited', link: live, usable: true },
  { why: 'expires a millisecond from now', status: 'invited', link: { ...live, expiresAt: at(1) }, usable: true },
  // Attack: a link opened at the very moment it expires.
  { why: 'expires exactly now', status: 'invited', link: { ...live, expiresAt: at(0) }, usable: false },
  { why: 'expired', status: 'invited', link: { ...live, expiresAt: at(-60_000) }, usable: false },
  // Attack: an older link replayed after a re-issue or a revoke.
  { why: 'revoked', status: 'invited', link: { ...live, revokedAt: at(-1000) }, usable: false },
  // Attack: a link replayed after the claim it opened completed.
  { why: 'used', status: 'invited', link: { ...live, usedAt: at(-1000) }, usable: false },
  { why: 'member already claimed', status: 'claimed', link: live, usable: false },
  // Attack: a deactivated member claiming with a link that was never closed.
  { why: 'member deactivated', status: 'deactivated', link: live, usable: false },
  { why: 'member only provisioned', status: 'provisioned', link: live, usable: false },
  { why: 'revoked, used and expired', status: 'invited', link: { revokedAt: at(-3), usedAt: at(-2), expiresAt: at(-1) }, usable: false },
];

describe('the usable-link rule in JavaScript', () => {
  it.each(CASES)('$why: usable $usable', ({ status, link, usable }) => {
    expect(isLinkUsable(link, { status }, NOW)).toBe(usable);
  });
});

describe('the usable-link rule in SQL, on the engine under test', () => {
  let db: Database;
  let close: () => Promise<void>;
  const linkOf = new Map<string, Case>();

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    await db.transaction(async (manager) => {
      for (const [index, entry] of CASES.entries()) {
        const member = newMemberRow({ email: `m${index}@example.com`, emailNormalized: `m${index}@example.com`, status: entry.status }, NOW);
        await manager.insert(db.entities.Member, member);
        const link: ClaimLinkRow = { id: newLinkId(), memberId: member.id, createdAt: at(-86_400_000), ...entry.link };
        await manager.insert(db.entities.ClaimLink, link);
        linkOf.set(link.id, entry);
      }
    });
  });
  afterAll(() => close());

  const usableIds = async (now: string, parameters: Record<string, unknown>, withMember: boolean): Promise<Set<string>> => {
    const rows: Array<{ id: string }> = await db.source.manager
      .createQueryBuilder(db.entities.ClaimLink, 'c')
      .innerJoin('Member', 'm', 'm.id = c.member_id')
      .select('c.id', 'id')
      .where(usableLinkSql('c', now, withMember ? 'm' : undefined), parameters)
      .getRawMany();
    return new Set(rows.map((row) => row.id));
  };

  it('finds exactly the links the JavaScript rule finds, with `now` bound as a parameter', async () => {
    const found = await usableIds(':now', { now: NOW }, true);
    for (const [id, entry] of linkOf) expect([entry.why, found.has(id)]).toEqual([entry.why, entry.usable]);
  });

  it('finds the same with `now` written as the dialect\'s literal (as inside a copy)', async () => {
    const found = await usableIds(db.dialect.sql.time(NOW), {}, true);
    for (const [id, entry] of linkOf) expect([entry.why, found.has(id)]).toEqual([entry.why, entry.usable]);
  });

  it('without the member alias, leaves the member\'s status to the caller', async () => {
    const found = await usableIds(':now', { now: NOW }, false);
    for (const [id, entry] of linkOf) {
      expect([entry.why, found.has(id)]).toEqual([entry.why, isLinkUsable(entry.link, { status: 'invited' }, NOW)]);
    }
  });
});
