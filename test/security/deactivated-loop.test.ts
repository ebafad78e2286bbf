import { newAgent, type Agent } from '../support/browser-agent.js';
import { claimAll, invite } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream } from '../support/upstream.js';
import { deactivateMember } from '../../src/members/deactivate.js';
import { listMemberSessions } from '../../src/session/member-sessions.js';

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let h: Harness;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await startHarness({ upstream: { url: upstream.url, landingPath: '/app' } });
});
afterAll(async () => {
  await h.close();
  await upstream.close();
});

async function signedInAt(email: string): Promise<{ agent: Agent; id: string }> {
  const invited = await invite(h.runtime, email);
  const agent = newAgent(h.app);
  await claimAll(agent, invited.claimUrl);
  await agent.get('/app/reports').expect(200);
  return { agent, id: invited.id };
}

/** Deactivated behind the session index's back: a status written straight to the database (a restore, an old replica). */
async function deactivateInDatabaseOnly(memberId: string) {
  const { db } = h.runtime;
  await db.source.manager.update(db.entities.Member, { id: memberId }, { status: 'deactivated' });
  h.runtime.identities.forget(memberId);
}

describe('a member deactivated while using the app', () => {
  // Attack/defect: ERR_TOO_MANY_REDIRECTS between the gateway and /login, which trusted any session with a member.
  it('is told the account is deactivated after one redirect, and the session ends', async () => {
    const { agent, id } = await signedInAt('loop-html@example.com');
    await deactivateInDatabaseOnly(id);
    const page = await agent.get('/app/reports').set('Accept', 'text/html').redirects(5);
    expect(page.status).toBe(403);
    expect(page.redirects).toHaveLength(1);
    expect(page.text).toContain('This account has been deactivated');
    expect(page.text).toContain('account_deactivated');
    expect(await listMemberSessions(h.runtime, id)).toEqual([]);
    // The session is gone: the next visit is an ordinary sign-in page, not the app and not a loop.
    const again = await agent.get('/app/reports').set('Accept', 'text/html').redirects(5);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Sign in');
    const { db } = h.runtime;
    const ended = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'session.ended', memberId: id });
    expect(ended.map((row) => row.details)).toEqual([expect.stringContaining('member_deactivated')]);
  });

  it('gives JSON callers a stable code, on the gateway and on claimgate\'s own pages', async () => {
    const { agent, id } = await signedInAt('loop-json@example.com');
    await deactivateInDatabaseOnly(id);
    const proxied = await agent.get('/app/api/items').set('Accept', 'application/json').expect(403);
    expect(proxied.text).toContain('account_deactivated');
    const own = await agent.get('/_claimgate/me').set('Accept', 'application/json').expect(403);
    expect((own.body as { error: { code: string } }).error.code).toBe('account_deactivated');
    await agent.get('/_claimgate/me').set('Accept', 'application/json').expect(401);
  });

  // Attack: a departed employee keeping the app open in a tab after an admin deactivated them.
  it('loses every session at once when deactivated, and lands on the sign-in page without a loop', async () => {
    const first = await signedInAt('loop-admin@example.com');
    expect(await listMemberSessions(h.runtime, first.id)).toHaveLength(1);
    await deactivateMember(h.runtime, first.id, 'test');
    expect(await listMemberSessions(h.runtime, first.id)).toEqual([]);
    const page = await first.agent.get('/app/reports').set('Accept', 'text/html').redirects(5);
    expect(page.status).toBe(200);
    expect(page.redirects).toHaveLength(1);
    expect(page.text).toContain('Sign in');
    expect(upstream.seen.filter((seen) => seen.url === '/app/reports')).toHaveLength(3);
  });
});
