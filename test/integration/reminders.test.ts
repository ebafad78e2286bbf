import { createLogger } from '../../src/logging/logger.js';
import { inviteByEmail } from '../../src/members/invite.js';
import { sendDueReminders } from '../../src/reminders/send-reminders.js';
import { issuedWindow } from '../../src/reminders/due.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { newAgent } from '../support/browser-agent.js';
import { claimAll } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';

const DAY = 24 * 60 * 60 * 1000;

let h: Harness;
let second: Runtime;
let offset = 0;

// On PostgreSQL a second runtime on the same database and outbox stands for another replica's worker. The embedded
// mode is one process by design (SQLite, in-process jobs), so there the race is between concurrent runs in it.
const replicas = Boolean(process.env.DATABASE_URL);

beforeAll(async () => {
  h = await startHarness();
  second = replicas ? await createRuntime(h.config, { logger: createLogger('silent'), now: () => new Date(Date.now() + offset) }) : h.runtime;
});
afterAll(async () => {
  if (second !== h.runtime) await second.close();
  await h.close();
});

function advance(ms: number) {
  offset += ms;
  h.advance(ms);
}

const reminders = (email: string) => mailsTo(h.dataDir, email).filter((mail) => mail.includes('Subject: Reminder: claim your account'));

describe('reminders', () => {
  it('picks the latest configured day that has passed, not every missed one', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    // Day 3 is due for links issued 3 to 5 days ago; day 5 for anything older.
    expect(issuedWindow([3, 5], 3, now)).toEqual({ from: ago(5), until: ago(3) });
    expect(issuedWindow([5, 3], 5, now)).toEqual({ from: null, until: ago(5) });
  });

  it(`sends each reminder day exactly once per member, with ${replicas ? 'two replicas\' workers' : 'concurrent runs'} racing`, async () => {
    const members = await Promise.all(Array.from({ length: 12 }, (_, index) => inviteByEmail(h.runtime, { email: `remind${index}@example.com`, actorId: 'test' })));
    const claimed = await inviteByEmail(h.runtime, { email: 'already-claimed@example.com', actorId: 'test' });
    await claimAll(newAgent(h.app), claimed.claimUrl);

    expect(await Promise.all([sendDueReminders(h.runtime), sendDueReminders(second)])).toEqual([0, 0]);

    advance(3 * DAY + 60_000);
    const day3 = await Promise.all([sendDueReminders(h.runtime), sendDueReminders(second), sendDueReminders(h.runtime)]);
    expect(day3.reduce((sum, count) => sum + count, 0)).toBe(12);
    expect(await Promise.all([sendDueReminders(h.runtime), sendDueReminders(second)])).toEqual([0, 0]);

    advance(2 * DAY);
    const day5 = await Promise.all([sendDueReminders(second), sendDueReminders(h.runtime)]);
    expect(day5.reduce((sum, count) => sum + count, 0)).toBe(12);
    advance(10 * DAY);
    expect(await Promise.all([sendDueReminders(h.runtime), sendDueReminders(second)])).toEqual([0, 0]);

    for (const member of members) {
      const sent = reminders(member.email);
      expect(sent).toHaveLength(2);
      // The reminder carries the link the member already has: it never re-issues one.
      for (const mail of sent) expect(mail).toContain(member.claimUrl);
    }
    expect(reminders('already-claimed@example.com')).toHaveLength(0);
    const audited = await h.runtime.db.source.manager.countBy(h.runtime.db.entities.AuditEvent, { event: 'member.reminded', outcome: 'success' });
    expect(audited).toBe(24);
  });
});
