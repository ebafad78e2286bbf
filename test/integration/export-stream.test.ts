import { randomUUID } from 'node:crypto';
import { claimUrl } from '../../src/claim/links.js';
import { newLinkId } from '../../src/claim/link-token.js';
import type { ClaimLinkRow, MemberRow, MemberStatus } from '../../src/db/rows.js';
import { csvRow } from '../../src/export/csv.js';
import { EXPORT_COLUMNS, membersCsv, type ExportStatus } from '../../src/export/members-csv.js';
import { newAgent } from '../support/browser-agent.js';
import { claimAll, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

const DAY = 86_400_000;
/** These tests span many chunks of the export and end with a partial one. */
const BATCH = 1000;
const MEMBERS = 2_345;
const STATUSES: MemberStatus[] = ['invited', 'invited', 'invited', 'claimed', 'provisioned', 'deactivated'];

let h: Harness;
/** What each member's row must say, in seeding order: the link is a URL and its expiry, or nothing. */
const expected = new Map<string, { status: MemberStatus; name: string; link: string; expires: string }>();

function member(status: MemberStatus, i: number, now: Date): MemberRow {
  return {
    id: randomUUID(), email: `member${i}@example.com`, emailNormalized: `member${i}@example.com`, employeeId: `E${i}`,
    username: null, usernameNormalized: null, name: i % 500 === 0 ? '=SUM(A1:A9)' : `Member ${i}`, firstName: 'Member',
    lastName: String(i), title: null, department: null, location: null, phone: null, locale: 'en-GB', managerEmail: null,
    startDate: null, loginMethod: 'password', status, passwordHash: null, pictureId: null, createdAt: now, updatedAt: now,
    invitedAt: status === 'provisioned' ? null : now, claimedAt: status === 'claimed' ? now : null, deactivatedAt: null,
    passwordChangeRequiredAt: null,
  };
}

function link(memberId: string, createdAt: Date, expiresAt: Date, dead: Partial<ClaimLinkRow> = {}): ClaimLinkRow {
  return { id: newLinkId(), memberId, createdAt, expiresAt, revokedAt: null, usedAt: null, ...dead };
}

/**
 * Invited members get a live link, some also an older revoked one; others only an expired or a used one.
 * Claimed and deactivated members keep a link that was never closed: the export must still leave them without.
 */
async function seed(): Promise<void> {
  const { db, config, keys } = h.runtime;
  const now = h.runtime.now();
  const earlier = new Date(now.getTime() - DAY);
  const members: MemberRow[] = [];
  const links: ClaimLinkRow[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    const row = member(STATUSES[i % STATUSES.length]!, i, now);
    members.push(row);
    let shown: ClaimLinkRow | undefined;
    if (row.status === 'invited' && i % 7 === 0) {
      links.push(link(row.id, earlier, new Date(now.getTime() - 1000)));
    } else if (row.status === 'invited' && i % 11 === 0) {
      links.push(link(row.id, earlier, new Date(now.getTime() + 30 * DAY), { usedAt: now }));
    } else if (row.status === 'invited') {
      if (i % 3 === 0) links.push(link(row.id, earlier, new Date(now.getTime() + 29 * DAY), { revokedAt: now }));
      shown = link(row.id, now, new Date(now.getTime() + 30 * DAY));
      links.push(shown);
    } else if (row.status !== 'provisioned') {
      links.push(link(row.id, earlier, new Date(now.getTime() + 30 * DAY)));
    }
    expected.set(row.id, {
      status: row.status,
      name: row.name!.startsWith('=') ? `'${row.name}` : row.name!,
      link: shown ? claimUrl(config.baseUrl, keys.claimLink, shown.id) : '',
      expires: shown ? shown.expiresAt.toISOString() : '',
    });
  }
  await db.transaction(async (manager) => {
    for (let i = 0; i < members.length; i += 200) await manager.insert(db.entities.Member, members.slice(i, i + 200));
    for (let i = 0; i < links.length; i += 500) await manager.insert(db.entities.ClaimLink, links.slice(i, i + 500));
  });
}

async function exportRows(status: ExportStatus): Promise<Array<Record<string, string>>> {
  let text = '';
  for await (const chunk of membersCsv(h.runtime, status)) text += chunk;
  const [header, ...lines] = text.split('\r\n');
  expect(header).toBe(EXPORT_COLUMNS.join(','));
  expect(lines.pop()).toBe('');
  // The seeded values hold no comma, quote or line break, so every line splits into its cells.
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [EXPORT_COLUMNS[i]!, cell])));
}

beforeAll(async () => {
  h = await startHarness();
  await seed();
});
afterAll(() => h.close());

describe('members export over many batches', () => {
  it('lists every member exactly once, in id order, each with the link that is valid now', async () => {
    const rows = await exportRows('all');
    expect(rows.map((row) => row.id)).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      const want = expected.get(row.id!)!;
      expect({ id: row.id, status: row.status, name: row.name, link: row.claim_link, expires: row.claim_link_expires_at })
        .toEqual({ id: row.id, ...want });
    }
  });

  it('filters by status across batches', async () => {
    const rows = await exportRows('invited');
    const invited = [...expected].filter(([, want]) => want.status === 'invited');
    expect(invited.length).toBeGreaterThan(BATCH);
    invited.sort(([a], [b]) => (a < b ? -1 : 1));
    expect(rows.map((row) => [row.id, row.claim_link])).toEqual(invited.map(([id, want]) => [id, want.link]));
  });

  it('gives a claimed member no link, whether the claim used it or went another way', async () => {
    const byLink = await invite(h.runtime);
    expect((await claimAll(newAgent(h.app), byLink.claimUrl)).headers.location).toBe('/');
    // Claimed by another method: the link row is still open, the member's status alone must keep it out.
    const other = await invite(h.runtime);
    const { db } = h.runtime;
    await db.transaction((m) => m.update(db.entities.Member, { id: other.id }, { status: 'claimed', claimedAt: h.runtime.now() }));

    const rows = await exportRows('all');
    for (const claimed of [byLink, other]) {
      const row = rows.find((candidate) => candidate.id === claimed.id)!;
      expect(row).toMatchObject({ status: 'claimed', claim_link: '', claim_link_expires_at: '' });
    }
    expect(rows.map((row) => row.claim_link)).not.toContain(byLink.claimUrl);
    expect(rows.map((row) => row.claim_link)).not.toContain(other.claimUrl);
  });

  it('lets a consumer stop early and export again', async () => {
    for await (const chunk of membersCsv(h.runtime, 'all')) {
      if (String(chunk).startsWith('id,')) continue;
      break;
    }
    expect(await exportRows('claimed')).not.toHaveLength(0);
  });

  // Attack: a cell that a spreadsheet would run as a formula, or one that breaks out of its column or line.
  it('writes awkward cells exactly as csvRow does: quoted, doubled quotes, line breaks, formula starts neutralised, empty as empty', async () => {
    const { db, config, keys } = h.runtime;
    const now = h.runtime.now();
    const awkward = ['He said "hi", ok', 'line\nbreak', 'cr\rlf\r\n', '=1+2', '+44', '-5', '@at', '\ttab', '\rcr', '', '"', ',', ' =space', 'Núñez, 日本', '\\.'];
    const members = awkward.map((text, i) => ({
      ...member('invited', 90_000 + i, now), id: `~awkward-${String(i).padStart(2, '0')}`, name: text, firstName: text, title: awkward[(i + 1) % awkward.length]!,
      department: awkward[(i + 2) % awkward.length]!, location: awkward[(i + 3) % awkward.length]!, locale: text, employeeId: text ? `${text}#${i}` : null,
      phone: awkward[(i + 4) % awkward.length]!, managerEmail: awkward[(i + 5) % awkward.length]!, username: text ? `user-${i}` : null, startDate: '2026-12-01',
    }));
    const links = members.map((row) => link(row.id, now, new Date(now.getTime() + DAY)));
    await db.transaction(async (manager) => {
      await manager.insert(db.entities.Member, members);
      await manager.insert(db.entities.ClaimLink, links);
    });

    let text = '';
    for await (const chunk of membersCsv(h.runtime, 'invited')) text += chunk;
    const iso = (date: Date | null) => date?.toISOString() ?? null;
    const lines = members.map((row, i) => csvRow([
      row.id, row.email, row.employeeId, row.username, row.name, row.firstName, row.lastName, row.title, row.department, row.location,
      row.phone, row.locale, row.managerEmail, row.startDate, row.loginMethod, row.status, iso(row.invitedAt), iso(row.claimedAt), claimUrl(config.baseUrl, keys.claimLink, links[i]!.id), iso(links[i]!.expiresAt),
    ]));
    for (const line of lines) expect(text).toContain(line);
    expect(lines.join('')).toContain("'=1+2");
    expect(lines.join('')).toContain('"He said ""hi"", ok"');
  });
});
