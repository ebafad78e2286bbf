import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { signedInMember } from '../support/admin.js';
import { acceptTerms, claimAll, invite, startClaim } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { resendInvitation } from '../../src/members/resend.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ session: { idleTimeout: '2h', absoluteTimeout: '7h' }, claim: { flowTtl: '1h' } });
});
afterAll(() => h.close());

async function flowsOf(memberId: string) {
  const { db } = h.runtime;
  return db.source.manager.find(db.entities.ClaimFlow, { where: { memberId }, order: { createdAt: 'ASC' } });
}

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = res.headers['set-cookie'] as string[] | undefined;
  return cookies?.find((c) => c.startsWith('claimgate.sid='))?.split(';')[0];
}

/** Moves the configured terms to a new version for the duration of `work`. */
async function withNewTerms(work: () => Promise<void>): Promise<void> {
  const terms = h.runtime.config.firstAccess.terms;
  const previous = terms.version;
  terms.version = `${previous}-next`;
  try {
    await work();
  } finally {
    terms.version = previous;
  }
}

describe('claim flow lifecycle, as the database records it', () => {
  it('a completed claim leaves its flow completed, holding none of what the steps collected', async () => {
    const invited = await invite(h.runtime);
    await claimAll(newAgent(h.app), invited.claimUrl);
    const flows = await flowsOf(invited.id);
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({ state: 'completed', data: '{}' });
    expect(flows[0]?.finishedAt).toBeInstanceOf(Date);
  });

  // Attack: carrying on with a claim after an admin replaced the link that opened it (a leaked link).
  it('replacing the link supersedes the open flow, and the old flow answers as an unusable link', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    const { db } = h.runtime;
    await db.transaction((m) => m.update(db.entities.ClaimLink, { memberId: invited.id }, { expiresAt: new Date(h.runtime.now().getTime() - 1) }));
    await resendInvitation(h.runtime, invited.id, 'test');
    const [flow] = await flowsOf(invited.id);
    expect(flow).toMatchObject({ state: 'superseded', data: '{}' });
    const token = csrfFrom((await agent.get('/login')).text);
    const res = await agent.post('/claim/flow/terms').type('form').send({ _csrf: token, accept: 'yes' });
    expect(res.text).toContain('claim_link_invalid');
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.AuditEvent, { memberId: invited.id, event: 'claim.step_completed' })).toBe(0);
  });

  // Attack: resuming a flow long after it was abandoned, e.g. from a browser left open on a shared computer.
  it('a flow past its time is recorded as expired at the next request, and the link starts a fresh one', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    h.advance(h.runtime.config.claim.flowTtl + 1000);
    const res = await agent.get('/claim/flow/terms');
    expect(res.text).toContain('claim_flow_missing');
    expect((await flowsOf(invited.id))[0]).toMatchObject({ state: 'expired', data: '{}' });
    await startClaim(agent, invited.claimUrl);
    const flows = await flowsOf(invited.id);
    expect(flows.map((f) => f.state)).toEqual(['expired', 'terms']);
  });
});

describe('out-of-date terms are asked for at every door', () => {
  // Attack: using claimgate's own pages (the admin area among them) without accepting terms that changed.
  it('an admin with out-of-date terms is sent to accept them from /admin, then comes back to /admin', async () => {
    const admin = await signedInMember(h, 'admin@example.com', 'Admin');
    await admin.agent.get('/admin/people').expect(200);
    await withNewTerms(async () => {
      const page = await admin.agent.get('/admin/people').set('Accept', 'text/html');
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/_claimgate/terms?returnTo=%2Fadmin%2Fpeople');
      const api = await admin.agent.get('/admin/api/session').set('Accept', 'application/json');
      expect(api.status).toBe(403);
      expect(api.body.error.code).toBe('terms_not_accepted');
      await admin.agent.get('/_claimgate/terms?returnTo=%2Fadmin%2Fpeople').expect(303).expect('location', '/claim/flow/terms');
      const accepted = await acceptTerms(admin.agent);
      expect(accepted.headers.location).toBe('/admin/people');
      await admin.agent.get('/admin/people').expect(200);
    });
  });

  it('the home page asks for them too', async () => {
    const member = await signedInMember(h, 'home-reader@example.com');
    await withNewTerms(async () => {
      const res = await member.agent.get('/').set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/_claimgate/terms?returnTo=%2F');
    });
  });

  // Attack: a browser left on the terms page past the idle timeout; whoever clicks "accept" later must not be signed in.
  it('the idle timeout runs on through re-acceptance', async () => {
    const member = await signedInMember(h, 'walked-away@example.com');
    const claim = h.runtime.config.claim;
    const flowTtl = claim.flowTtl;
    // The flow outlives the idle timeout, as with the shipped defaults (1 day against 8 hours).
    claim.flowTtl = h.runtime.config.session.idleTimeout * 4;
    await withNewTerms(async () => {
      await member.agent.get('/_claimgate/terms').expect(303).expect('location', '/claim/flow/terms');
      const token = csrfFrom((await member.agent.get('/claim/flow/terms').expect(200)).text);
      h.advance(h.runtime.config.session.idleTimeout + 60_000);
      const res = await member.agent.post('/claim/flow/terms').type('form').send({ _csrf: token, accept: 'yes' });
      expect(res.text).toContain('not_signed_in');
      expect(res.headers['location'] ?? '').not.toBe('/');
      const home = await member.agent.get('/').set('Accept', 'text/html');
      expect(home.status).toBe(303);
      expect(home.headers.location).toMatch(/^\/login/);
    }).finally(() => {
      claim.flowTtl = flowTtl;
    });
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.TermsAcceptance, { memberId: member.id })).toBe(1);
  });

  // Attack: session fixation through re-acceptance; and a session kept alive past its absolute timeout by accepting terms.
  it('re-acceptance from a signed-in session runs under a fresh session id and keeps the original sign-in time', async () => {
    const member = await signedInMember(h, 'fixation@example.com');
    const { idleTimeout, absoluteTimeout } = h.runtime.config.session;
    const step = idleTimeout - 60_000;
    h.advance(step);
    let elapsed = step;
    await withNewTerms(async () => {
      const entered = await member.agent.get('/_claimgate/terms').expect(303).expect('location', '/claim/flow/terms');
      // express-session sets the cookie again only for a new id.
      expect(sessionCookie(entered)).toBeDefined();
      const accepted = await acceptTerms(member.agent);
      expect(sessionCookie(accepted)).toBeDefined();
      while (elapsed + step < absoluteTimeout) {
        h.advance(step);
        elapsed += step;
        await member.agent.get('/').expect(200);
      }
      h.advance(absoluteTimeout - elapsed + 1000);
      const res = await member.agent.get('/').set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
    });
  });
});
