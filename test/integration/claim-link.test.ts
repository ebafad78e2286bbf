import { claimPath, csrfFrom, newAgent, tokenFor } from '../support/browser-agent.js';
import { acceptTerms, claimAll, GOOD_PASSWORD, invite, pickGroups, setPassword, startClaim, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { revokeInvitation } from '../../src/members/revoke.js';
import { inviteByEmail } from '../../src/members/invite.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function member(id: string) {
  return h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { id });
}

async function auditEvents(memberId: string) {
  const rows = await h.runtime.db.source.manager.find(h.runtime.db.entities.AuditEvent, { where: { memberId }, order: { id: 'ASC' } });
  return rows.map((row) => row.event);
}

/** The parts of a refusal a client can see, without the per-request reference. */
async function refusal(path: string) {
  const res = await newAgent(h.app).get(path);
  return { status: res.status, body: res.text.replace(/Reference: <code>[^<]+<\/code>/, '') };
}

describe('claim by link', () => {
  it('takes an invited member through every step, signs them in, and kills the link', async () => {
    const invited = await invite(h.runtime, 'ada@example.com', 'Ada L');
    const agent = newAgent(h.app);
    const done = await claimAll(agent, invited.claimUrl);
    expect(done.headers.location).toBe('/');

    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Ada Lovelace');
    expect(home.text).toContain('Announcements');

    const claimed = await member(invited.id);
    expect(claimed.status).toBe('claimed');
    expect(claimed.passwordHash).toMatch(/^\$argon2id\$/);
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.Membership, { memberId: invited.id })).toBe(2);
    const acceptance = await db.source.manager.findOneByOrFail(db.entities.TermsAcceptance, { memberId: invited.id });
    expect(acceptance.version).toBe('2026-01');
    expect(await auditEvents(invited.id)).toEqual([
      'member.provisioned', 'member.invited', 'claim.link_opened', 'claim.started',
      'claim.step_completed', 'claim.step_completed', 'claim.step_completed', 'claim.step_completed',
      'terms.accepted', 'claim.completed',
    ]);
    // Attack: reusing a link after the claim completed.
    expect((await newAgent(h.app).get(claimPath(invited.claimUrl))).status).toBe(404);
  });

  it('renders the terms file safely (no raw HTML, no javascript: links)', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    const page = await agent.get('/claim/flow/terms').expect(200);
    expect(page.text).toContain('Be excellent to each other.');
    expect(page.text).not.toContain("<script>alert('terms')</script>");
    expect(page.text).not.toMatch(/href="javascript:/);
  });

  it('resumes at the first unfinished step on another device after opening the link again', async () => {
    const invited = await invite(h.runtime);
    const laptop = newAgent(h.app);
    await startClaim(laptop, invited.claimUrl);
    await acceptTerms(laptop);
    await submitProfile(laptop, { name: 'Resumed Person' });

    const phone = newAgent(h.app);
    expect(await startClaim(phone, invited.claimUrl)).toBe('/claim/flow/password');
    await phone.get('/claim/flow/terms').expect(303).expect('location', '/claim/flow/password');
    await setPassword(phone);
    await pickGroups(phone);
    expect((await member(invited.id)).name).toBe('Resumed Person');
  });

  // Attack: a crafted POST that skips the terms and password steps.
  it('refuses a POST for a later step and audits it', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    const token = await tokenFor(agent, '/claim/flow/terms');
    const skip = await agent.post('/claim/flow/groups').type('form').send({ _csrf: token, groups: 'x' });
    expect(skip.status).toBe(409);
    expect(skip.text).toContain('claim_step_out_of_order');
    const replayPassword = await agent.post('/claim/flow/password').set('Accept', 'application/json').type('form').send({ _csrf: token, password: GOOD_PASSWORD, confirm: GOOD_PASSWORD });
    expect(replayPassword.status).toBe(409);
    expect(replayPassword.body.error.code).toBe('claim_step_out_of_order');
    expect(await auditEvents(invited.id)).toContain('claim.step_rejected');
    expect((await member(invited.id)).status).toBe('invited');
  });

  // Attack: replaying the terms step to overwrite a completed step's data.
  it('refuses replaying a completed step', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    await acceptTerms(agent);
    const token = await tokenFor(agent, '/claim/flow/profile');
    await agent.post('/claim/flow/terms').type('form').send({ _csrf: token, accept: 'yes' }).expect(409);
  });

  // Attack: probing links to learn which exist, were used, or expired.
  it('gives the same answer for a used, expired, tampered and unknown link', async () => {
    const used = await invite(h.runtime);
    await claimAll(newAgent(h.app), used.claimUrl);
    const expired = await invite(h.runtime);
    const tampered = await invite(h.runtime);
    const path = claimPath(tampered.claimUrl);
    const tamperedPath = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');

    h.advance(h.config.claim.linkTtl + 1000);
    try {
      const answers = await Promise.all([
        refusal(claimPath(used.claimUrl)),
        refusal(claimPath(expired.claimUrl)),
        refusal(tamperedPath),
        refusal('/claim/00000000000000000000000000000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
        refusal('/claim/not-even-a-token'),
      ]);
      expect(answers[0]!.status).toBe(404);
      for (const answer of answers) expect(answer).toEqual(answers[0]);
    } finally {
      h.advance(-(h.config.claim.linkTtl + 1000));
    }
  });

  // Attack: a mail scanner prefetching the link (GET and HEAD) must not use it up.
  it('consumes nothing on GET and HEAD', async () => {
    const invited = await invite(h.runtime);
    const path = claimPath(invited.claimUrl);
    const { db } = h.runtime;
    const before = await db.source.manager.findBy(db.entities.ClaimLink, { memberId: invited.id });
    for (let i = 0; i < 3; i++) {
      await newAgent(h.app).head(path).expect(200);
      await newAgent(h.app).get(path).expect(200);
    }
    expect(await db.source.manager.findBy(db.entities.ClaimLink, { memberId: invited.id })).toEqual(before);
    expect(await db.source.manager.countBy(db.entities.ClaimFlow, { memberId: invited.id })).toBe(0);
    expect((await member(invited.id)).status).toBe('invited');
    await claimAll(newAgent(h.app), invited.claimUrl);
  });

  // Attack: an old link from an earlier invitation (or a revoked one) used after a re-issue.
  it('re-issuing kills every older link; revoking kills the current one', async () => {
    const first = await invite(h.runtime);
    const second = await inviteByEmail(h.runtime, { email: first.email, actorId: 'test' });
    expect(second.claimUrl).not.toBe(first.claimUrl);
    await newAgent(h.app).get(claimPath(first.claimUrl)).expect(404);
    await newAgent(h.app).get(claimPath(second.claimUrl)).expect(200);

    await revokeInvitation(h.runtime, second.id, 'test');
    await newAgent(h.app).get(claimPath(second.claimUrl)).expect(404);
    expect((await member(second.id)).status).toBe('provisioned');
  });

  // Attack: continuing a claim in a browser after the admin re-issued or revoked the link.
  it('ends a flow in progress when its link is replaced', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    await inviteByEmail(h.runtime, { email: invited.email, actorId: 'test' });
    const token = csrfFrom((await agent.get('/login')).text);
    const res = await agent.post('/claim/flow/terms').type('form').send({ _csrf: token, accept: 'yes' });
    expect(res.status).toBe(404);
    expect(res.text).toContain('claim_link_invalid');
  });

  it('does not let a provisioned (uninvited) member claim', async () => {
    const invited = await invite(h.runtime);
    await revokeInvitation(h.runtime, invited.id, 'test');
    const { db } = h.runtime;
    // Even a link row left valid by hand is refused while the member is not invited.
    await db.transaction((m) => m.update(db.entities.ClaimLink, { memberId: invited.id }, { revokedAt: null }));
    await newAgent(h.app).get(claimPath(invited.claimUrl)).expect(404);
  });
});

describe('groups step', () => {
  it('searches groups by name without losing ticked boxes, and enforces min and max', async () => {
    const { db } = h.runtime;
    const { randomUUID } = await import('node:crypto');
    await db.transaction((m) => m.insert(db.entities.Group, { id: randomUUID(), name: 'Paris 100% office', nameNormalized: 'paris 100% office', createdAt: new Date() }));
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    await acceptTerms(agent);
    await submitProfile(agent);
    await setPassword(agent);
    const pool = await (await import('../support/claim-walk.js')).groupIdsOnPage(agent);
    const token = await tokenFor(agent, '/claim/flow/groups');
    const post = (body: string) => agent.post('/claim/flow/groups').type('form').send(`_csrf=${encodeURIComponent(token)}&${body}`);

    const search = await post(`groups=${pool[0]}&q=${encodeURIComponent('100%')}&intent=search`).expect(200);
    expect(search.text).toContain('Paris 100% office');
    expect(search.text).toMatch(new RegExp(`value="${pool[0]}" checked`));
    // Attack: LIKE wildcards in the search box matching every group.
    expect((await post('q=_&intent=search').expect(200)).text).toContain('No group beyond the ones listed above matches');

    expect((await post('intent=continue').expect(400)).text).toContain('Choose at least 1 group');
    expect((await post(`${pool.map((id) => `groups=${id}`).join('&')}&intent=continue`).expect(400)).text).toContain('Choose at most 3 groups');
    // Attack: submitting a group id that does not exist (or is not offered).
    expect((await post('groups=00000000-0000-0000-0000-000000000000&intent=continue').expect(400)).text).toContain('does not exist');
    const paris = /value="([^"]+)"[^>]*>\s*<label[^>]*>Paris 100% office/.exec(search.text)![1]!;
    await post(`groups=${paris}&intent=continue`).expect(303);
    const memberships = await db.source.manager.findBy(db.entities.Membership, { memberId: invited.id });
    expect(memberships.map((m) => m.groupId)).toEqual([paris]);
  });
});

describe('credentials replaced mid-claim', () => {
  // Attack: someone holding an old (leaked) link starts the claim and sets a password; the admin re-issues the link;
  // the real member's new link must not revive the old flow with the attacker's password in it.
  it('never lets a newer link revive a flow an older link opened', async () => {
    const invited = await invite(h.runtime);
    const attacker = newAgent(h.app);
    await startClaim(attacker, invited.claimUrl);
    await acceptTerms(attacker);
    await submitProfile(attacker, { name: 'Mallory' });
    await setPassword(attacker, 'attacker chosen passphrase');
    const reissued = await inviteByEmail(h.runtime, { email: invited.email, actorId: 'test' });

    const member = newAgent(h.app);
    expect(await startClaim(member, reissued.claimUrl)).toBe('/claim/flow/terms');
    const revived = await attacker.get('/claim/flow');
    expect(revived.status).toBe(404);
    expect(revived.text).toContain('claim_link_invalid');

    await acceptTerms(member);
    const profile = await member.get('/claim/flow/profile').expect(200);
    expect(profile.text).not.toContain('Mallory');
  });
});

describe('who may claim by link', () => {
  // With a provider the claim goes to it first (test/security/oidc.test.ts); without one it cannot start.
  it('refuses a link claim for a member who must use single sign-on when no provider serves them, with a stable code', async () => {
    const invited = await invite(h.runtime);
    const { db } = h.runtime;
    await db.transaction((m) => m.update(db.entities.Member, { id: invited.id }, { loginMethod: 'sso' }));
    const agent = newAgent(h.app);
    const token = await tokenFor(agent, claimPath(invited.claimUrl));
    const res = await agent.post(claimPath(invited.claimUrl)).type('form').send({ _csrf: token });
    expect(res.status).toBe(409);
    expect(res.text).toContain('claim_requires_sso');
    expect(await db.source.manager.countBy(db.entities.ClaimFlow, { memberId: invited.id })).toBe(0);
  });

  it('refuses to invite an SSO member when no provider serves their domain', async () => {
    await expect(inviteByEmail(h.runtime, { email: 'sso-person@nowhere.example', loginMethod: 'sso', actorId: 'test' })).rejects.toMatchObject({
      code: 'validation_failed',
      publicMessage: expect.stringContaining('No single sign-on provider serves nowhere.example'),
    });
  });

  it('requires SSO for every link claim when sso.required is on', async () => {
    const invited = await invite(h.runtime);
    h.runtime.config.sso.required = true;
    try {
      const agent = newAgent(h.app);
      const token = await tokenFor(agent, claimPath(invited.claimUrl));
      await agent.post(claimPath(invited.claimUrl)).type('form').send({ _csrf: token }).expect(409);
    } finally {
      h.runtime.config.sso.required = false;
    }
  });

  it('answers 404 for links and refuses invitations when claim links are switched off', async () => {
    const invited = await invite(h.runtime);
    h.runtime.config.claim.methods.link = false;
    try {
      await newAgent(h.app).get(claimPath(invited.claimUrl)).expect(404);
      await expect(invite(h.runtime)).rejects.toMatchObject({ code: 'validation_failed' });
    } finally {
      h.runtime.config.claim.methods.link = true;
    }
  });

  // Attack: fixing a session id before the claim starts, then riding the claimed session.
  it('gives the browser a new session id when the claim starts', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    const landing = await agent.get(claimPath(invited.claimUrl)).expect(200);
    const before = (landing.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0];
    const started = await agent.post(claimPath(invited.claimUrl)).type('form').send({ _csrf: csrfFrom(landing.text) }).expect(303);
    const after = (started.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0];
    expect(after).not.toBe(before);
    await newAgent(h.app).get('/claim/flow').set('Cookie', before!).expect(400);
  });
});
