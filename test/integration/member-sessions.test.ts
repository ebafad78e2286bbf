import { signedInMember } from '../support/admin.js';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { GOOD_PASSWORD } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { endMemberSessions, endSession, listMemberSessions } from '../../src/session/member-sessions.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function signInAgain(email: string, userAgent: string) {
  const agent = newAgent(h.app);
  const token = csrfFrom((await agent.get('/login').set('User-Agent', userAgent)).text);
  await agent.post('/login').set('User-Agent', userAgent).type('form')
    .send({ _csrf: token, identifier: email, password: GOOD_PASSWORD }).expect(303);
  return agent;
}

describe('the session index of a member', () => {
  it('lists every live session with when, where from and which browser, and forgets those signed out', async () => {
    const first = await signedInMember(h, 'index-list@example.com');
    const phone = await signInAgain('index-list@example.com', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1');
    const sessions = await listMemberSessions(h.runtime, first.id);
    expect(sessions).toHaveLength(2);
    expect(sessions.map((s) => s.userAgent)).toContain('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1');
    for (const s of sessions) {
      expect(s.address).not.toBe('');
      expect(s.createdAt.getTime()).toBeGreaterThan(0);
      expect(s.lastSeenAt.getTime()).toBeGreaterThanOrEqual(s.createdAt.getTime());
    }
    const csrf = csrfFrom((await phone.get('/').expect(200)).text);
    await phone.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
    expect(await listMemberSessions(h.runtime, first.id)).toHaveLength(1);
  });

  // Attack: a stolen session that outlives "sign out everywhere" because the index missed it.
  it('ends every session but the one kept, and a request in flight cannot bring one back', async () => {
    const kept = await signedInMember(h, 'index-end@example.com');
    const other = await signInAgain('index-end@example.com', 'curl/8');
    const third = await signInAgain('index-end@example.com', 'curl/8');
    const keepSid = (await listMemberSessions(h.runtime, kept.id)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0]!.sid;
    const ended = await endMemberSessions(h.runtime, kept.id, { keepSid, reason: 'sign_out_everywhere' });
    expect(ended).toBe(2);
    await kept.agent.get('/').expect(200);
    await other.get('/').expect(303);
    await third.get('/').expect(303);
    expect((await listMemberSessions(h.runtime, kept.id)).map((s) => s.sid)).toEqual([keepSid]);
    expect(await endMemberSessions(h.runtime, kept.id, { reason: 'deactivated' })).toBe(1);
    await kept.agent.get('/').expect(303);
    expect(await listMemberSessions(h.runtime, kept.id)).toEqual([]);
    const { db } = h.runtime;
    const rows = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'session.ended', memberId: kept.id });
    expect(rows.map((row) => JSON.parse(row.details) as { reason: string }).map((d) => d.reason).sort()).toEqual(['deactivated', 'sign_out_everywhere']);
  });

  // Attack: a member ending (or probing) another member's session by its id.
  it('ends one session only for its own member', async () => {
    const alice = await signedInMember(h, 'index-alice@example.com');
    const bob = await signedInMember(h, 'index-bob@example.com');
    const [bobSession] = await listMemberSessions(h.runtime, bob.id);
    expect(await endSession(h.runtime, alice.id, bobSession!.sid)).toBe(false);
    expect(await endSession(h.runtime, alice.id, 'no-such-session')).toBe(false);
    await bob.agent.get('/').expect(200);
    expect(await endSession(h.runtime, bob.id, bobSession!.sid)).toBe(true);
    await bob.agent.get('/').expect(303);
    await alice.agent.get('/').expect(200);
  });

  // Attack: an idle session shown (and counted) as live after it timed out.
  it('drops sessions that timed out from the list', async () => {
    const member = await signedInMember(h, 'index-idle@example.com');
    expect(await listMemberSessions(h.runtime, member.id)).toHaveLength(1);
    h.advance(h.config.session.idleTimeout + 1000);
    expect(await listMemberSessions(h.runtime, member.id)).toEqual([]);
  });

  // Attack: a session signed in before the index existed, surviving "sign out everywhere" after an upgrade.
  it('indexes a session from before the index at its next write, so that ending all sessions finds it', async () => {
    const member = await signedInMember(h, 'index-legacy@example.com');
    const [indexed] = await listMemberSessions(h.runtime, member.id);
    const sid = indexed!.sid;
    const stored = JSON.parse((await h.runtime.store.get('sessions', sid))!) as Record<string, unknown>;
    delete stored.createdAt;
    delete stored.address;
    delete stored.userAgent;
    await h.runtime.store.touchIfPresent('sessions', sid, JSON.stringify(stored));
    await h.runtime.store.removeFromSet('memberSessions', member.id, [sid]);
    expect(await listMemberSessions(h.runtime, member.id)).toEqual([]);
    h.advance(2 * 60_000);
    await member.agent.get('/').expect(200);
    expect((await listMemberSessions(h.runtime, member.id)).map((s) => s.sid)).toEqual([sid]);
    expect(await endMemberSessions(h.runtime, member.id, { reason: 'sign_out_everywhere' })).toBe(1);
    await member.agent.get('/').expect(303);
  });
});
