import { claimPath, csrfFrom, newAgent, tokenFor, type Agent } from '../support/browser-agent.js';
import { acceptTerms, invite, pickGroups, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startMaliciousOp, type CraftedToken, type MaliciousOp } from '../support/malicious-op.js';
import { OP_CLIENT_ID, OP_CLIENT_SECRET, opBrowser, startTestOp, type TestOp } from '../support/oidc-op.js';

const BASE = 'http://claimgate.test';
let h: Harness;
let op: TestOp;
let mal: MaliciousOp;

beforeAll(async () => {
  op = await startTestOp([`${BASE}/sso/oidc/staff/callback`, `${BASE}/sso/oidc/any/callback`], [`${BASE}/login?signedOut=1`]);
  mal = await startMaliciousOp();
  const oidc = (id: string, issuer: string, domains: string[], extra: Record<string, unknown> = {}) => ({
    id, type: 'oidc', domains, issuer, clientId: OP_CLIENT_ID, clientSecret: OP_CLIENT_SECRET, allowHttp: true, ...extra,
  });
  h = await startHarness({
    sso: {
      providers: [
        oidc('staff', op.issuer, ['staff.example'], { attributes: { title: 'job_title' } }),
        // The organisation's default provider: no domains, used when SSO is required for someone outside them.
        oidc('any', op.issuer, []),
        oidc('mal', mal.issuer, ['evil.example']),
        oidc('mixup', `${mal.issuer}/mixup`, ['mixup.example']),
        // Nothing listens on port 1: a provider that cannot be reached.
        oidc('down', 'http://127.0.0.1:1', ['down.example'], { timeout: '2s' }),
      ],
    },
  });
});
afterAll(async () => {
  await h?.close();
  await op?.close();
  await mal?.close();
});

const db = () => h.runtime.db;

function traceIdIn(html: string): string {
  const match = /Trace id: <code>([A-Z0-9]+)<\/code>/.exec(html);
  if (!match) throw new Error(`no trace id on the page: ${html.slice(0, 400)}`);
  return match[1]!;
}

async function auditByTrace(traceId: string) {
  const rows = await db().source.manager.find(h.runtime.db.entities.AuditEvent, { where: { traceId } });
  return rows.map((row) => ({ event: row.event, outcome: row.outcome, memberId: row.memberId, details: JSON.parse(row.details) as Record<string, unknown> }));
}

async function eventsOf(memberId: string) {
  const rows = await db().source.manager.find(h.runtime.db.entities.AuditEvent, { where: { memberId }, order: { id: 'ASC' } });
  return rows;
}

async function signedIn(agent: Agent): Promise<boolean> {
  return (await agent.get('/_claimgate/me')).status === 200;
}

/** From claimgate's login route to the provider's authorization URL. */
async function toProvider(agent: Agent, ssoLoginPath: string): Promise<URL> {
  const login = await agent.get(ssoLoginPath);
  expect(login.status).toBe(302);
  return new URL(login.headers.location as string);
}

/** Opens a claim link and presses Start: an SSO-gated claim goes to claimgate's SSO login route first. */
async function startLinkClaim(agent: Agent, claimUrl: string): Promise<string> {
  const token = await tokenFor(agent, claimPath(claimUrl));
  const started = await agent.post(claimPath(claimUrl)).type('form').send({ _csrf: token }).expect(303);
  return started.headers.location as string;
}

/** The identity-first sign-in page: type an email, get sent on. */
async function identify(agent: Agent, identifier: string) {
  const page = await agent.get('/login').expect(200);
  expect(page.text).toContain('name="stage" value="identify"');
  return agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), stage: 'identify', identifier });
}

async function callback(agent: Agent, url: URL) {
  expect(url.origin).toBe(BASE);
  return agent.get(`${url.pathname}${url.search}`);
}

async function flowOf(memberId: string) {
  const row = await db().source.manager.findOneOrFail(h.runtime.db.entities.ClaimFlow, { where: { memberId }, order: { createdAt: 'DESC' } });
  return { ...row, plan: JSON.parse(row.plan) as string[] };
}

describe('SSO-gated claim by link (OIDC)', () => {
  it('sends a member of an SSO domain to the provider before any step, skips the password step and links the identity', async () => {
    const invited = await invite(h.runtime, 'ada@staff.example', 'Ada');
    op.accounts.set('ada', { email: 'ADA@staff.example', email_verified: true, name: 'Ada Lovelace', job_title: 'Analyst' });
    const agent = newAgent(h.app);
    expect(await startLinkClaim(agent, invited.claimUrl)).toBe('/sso/oidc/staff/login');
    // Nothing of the claim exists before the provider has answered.
    expect(await db().source.manager.countBy(h.runtime.db.entities.ClaimFlow, { memberId: invited.id })).toBe(0);

    const authorization = await toProvider(agent, '/sso/oidc/staff/login');
    expect(authorization.origin).toBe(op.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')).toBeTruthy();
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.searchParams.get('redirect_uri')).toBe(`${BASE}/sso/oidc/staff/callback`);

    const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'ada'));
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/claim/flow/terms');
    const flow = await flowOf(invited.id);
    expect(flow.method).toBe('sso');
    expect(flow.linkId).toBeTruthy();
    expect(flow.plan).toEqual(['terms', 'profile', 'groups']);

    await acceptTerms(agent);
    const profile = await agent.get('/claim/flow/profile').expect(200);
    expect(profile.text).toContain('value="Analyst"');
    expect(profile.text).toContain('value="Ada Lovelace"');
    await submitProfile(agent, { name: 'Ada Lovelace', title: 'Analyst' });
    const done = await pickGroups(agent, 1);
    expect(done.headers.location).toBe('/');
    expect(await signedIn(agent)).toBe(true);

    const member = await db().source.manager.findOneByOrFail(h.runtime.db.entities.Member, { id: invited.id });
    expect(member.status).toBe('claimed');
    expect(member.loginMethod).toBe('sso');
    expect(member.passwordHash).toBeNull();
    const account = await db().source.manager.findOneByOrFail(h.runtime.db.entities.SsoAccount, { memberId: invited.id });
    expect(account).toMatchObject({ issuer: op.issuer, subject: 'ada', providerId: 'staff' });
    const events = await eventsOf(invited.id);
    const succeeded = events.find((row) => row.event === 'claim.sso_succeeded')!;
    expect(succeeded.traceId).toMatch(/^[A-Z0-9]{10}$/);
    expect(JSON.parse(succeeded.details)).toEqual({ provider: 'staff', traceId: succeeded.traceId });
    expect(events.find((row) => row.event === 'claim.completed')?.method).toBe('sso');
    // The claim link is used up with the claim.
    expect((await newAgent(h.app).get(claimPath(invited.claimUrl))).status).toBe(404);
  });

  it('sends every link claim to the default provider when sso.required is on', async () => {
    const invited = await invite(h.runtime, 'grace@example.com', 'Grace');
    h.runtime.config.sso.required = true;
    try {
      const agent = newAgent(h.app);
      expect(await startLinkClaim(agent, invited.claimUrl)).toBe('/sso/oidc/any/login');
      const authorization = await toProvider(agent, '/sso/oidc/any/login');
      const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'grace@example.com'));
      expect(back.headers.location).toBe('/claim/flow/terms');
      expect((await flowOf(invited.id)).plan).not.toContain('password');
    } finally {
      h.runtime.config.sso.required = false;
    }
  });

  it('sends a member whose login method is sso to the provider, outside any SSO domain', async () => {
    const invited = await invite(h.runtime, 'hopper@example.com', 'Hopper');
    await h.runtime.db.transaction((m) => m.update(h.runtime.db.entities.Member, { id: invited.id }, { loginMethod: 'sso' }));
    const agent = newAgent(h.app);
    expect(await startLinkClaim(agent, invited.claimUrl)).toBe('/sso/oidc/any/login');
    const authorization = await toProvider(agent, '/sso/oidc/any/login');
    const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'hopper@example.com'));
    expect(back.headers.location).toBe('/claim/flow/terms');
    const flow = await flowOf(invited.id);
    expect(flow.method).toBe('sso');
    expect(flow.plan).toEqual(['terms', 'profile', 'groups']);
    // Step skipping: a crafted request for the password step of an SSO claim is refused.
    const terms = await agent.get('/claim/flow/terms').expect(200);
    const forced = await agent.post('/claim/flow/password').type('form').send({ _csrf: csrfFrom(terms.text), password: 'a local password 123', confirm: 'a local password 123' });
    expect(forced.status).toBe(409);
    expect(forced.text).toContain('claim_step_out_of_order');
  });

  it('stops the claim when the provider answers for someone else: claim.sso_mismatch, a trace id, no session', async () => {
    const invited = await invite(h.runtime, 'carol@staff.example', 'Carol');
    const agent = newAgent(h.app);
    await startLinkClaim(agent, invited.claimUrl);
    const authorization = await toProvider(agent, '/sso/oidc/staff/login');
    const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'mallory@staff.example'));
    expect(back.status).toBe(403);
    expect(back.text).toContain('someone other than the person this invitation is for');
    const traceId = traceIdIn(back.text);
    expect(await auditByTrace(traceId)).toEqual([
      { event: 'claim.sso_mismatch', outcome: 'failure', memberId: invited.id, details: expect.objectContaining({ provider: 'staff', reason: 'identity_mismatch', traceId }) },
    ]);
    expect(await db().source.manager.countBy(h.runtime.db.entities.ClaimFlow, { memberId: invited.id })).toBe(0);
    expect(await db().source.manager.countBy(h.runtime.db.entities.SsoAccount, { memberId: invited.id })).toBe(0);
    expect(await signedIn(agent)).toBe(false);
  });
});

describe('identity-first sign-in (OIDC)', () => {
  it('starts the claim of an invited member who signs in at the provider, with no link and no password step; later sign-ins and sign-out go through the provider', async () => {
    const invited = await invite(h.runtime, 'bob@staff.example', 'Bob');
    const agent = newAgent(h.app);
    const sent = await identify(agent, 'Bob@Staff.example');
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/sso/oidc/staff/login');
    const authorization = await toProvider(agent, '/sso/oidc/staff/login');
    expect(authorization.searchParams.get('login_hint')).toBe('Bob@Staff.example');
    const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'bob@staff.example'));
    expect(back.headers.location).toBe('/claim/flow/terms');
    const flow = await flowOf(invited.id);
    expect(flow).toMatchObject({ method: 'sso', linkId: null });
    expect(flow.plan).not.toContain('password');
    await acceptTerms(agent);
    await submitProfile(agent, { name: 'Bob B' });
    expect((await pickGroups(agent, 1)).headers.location).toBe('/');
    expect(await signedIn(agent)).toBe(true);

    // Single logout: the local session ends and the browser goes on to the provider's end_session_endpoint.
    const home = await agent.get('/_claimgate/me').expect(200);
    const out = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) }).expect(303);
    const endSession = new URL(out.headers.location as string);
    expect(endSession.origin).toBe(op.issuer);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/login?signedOut=1`);
    expect(await signedIn(agent)).toBe(false);

    // A claimed member signs in again, found by the linked (issuer, subject).
    const later = newAgent(h.app);
    await identify(later, 'bob@staff.example');
    const again = await toProvider(later, '/sso/oidc/staff/login');
    const landed = await callback(later, await opBrowser(op).signIn(again.href, 'bob@staff.example'));
    expect(landed.status).toBe(303);
    expect(landed.headers.location).toBe('/');
    expect(await signedIn(later)).toBe(true);
    const login = (await eventsOf(invited.id)).filter((row) => row.event === 'login.succeeded');
    expect(login.map((row) => row.method)).toEqual(['sso']);

    // Account takeover by email: another identity at the provider with the same address is not this member.
    op.accounts.set('imposter', { email: 'bob@staff.example', email_verified: true });
    const imposter = newAgent(h.app);
    await identify(imposter, 'bob@staff.example');
    const attempt = await toProvider(imposter, '/sso/oidc/staff/login');
    const refusedAnswer = await callback(imposter, await opBrowser(op).signIn(attempt.href, 'imposter'));
    expect(refusedAnswer.status).toBe(400);
    expect((await auditByTrace(traceIdIn(refusedAnswer.text)))[0]).toMatchObject({ event: 'login.failed', memberId: invited.id, details: { reason: 'identity_conflict' } });
    expect(await signedIn(imposter)).toBe(false);
  });

  it('lets forms continue to the provider (CSP form-action names its origin)', async () => {
    const page = await newAgent(h.app).get('/login').expect(200);
    const formAction = /form-action ([^;]+)/.exec(page.headers['content-security-policy'] as string)?.[1] ?? '';
    expect(formAction.split(' ')).toEqual(expect.arrayContaining(["'self'", op.issuer, mal.issuer]));
  });

  it('never matches a member by an email the provider marks unverified', async () => {
    const invited = await invite(h.runtime, 'unverified@staff.example');
    op.accounts.set('unverified', { email: 'unverified@staff.example', email_verified: false });
    const agent = newAgent(h.app);
    await identify(agent, 'unverified@staff.example');
    const authorization = await toProvider(agent, '/sso/oidc/staff/login');
    const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'unverified'));
    expect(back.status).toBe(400);
    expect((await auditByTrace(traceIdIn(back.text)))[0]).toMatchObject({ details: { reason: 'unknown_identity' } });
    expect(await db().source.manager.countBy(h.runtime.db.entities.ClaimFlow, { memberId: invited.id })).toBe(0);
  });

  it('provisions an unknown identity just in time when the provider allows it, as an SSO member who claims without a password', async () => {
    const staff = h.runtime.config.sso.providers.find((provider) => provider.id === 'staff')!;
    (staff as { jitProvisioning: boolean }).jitProvisioning = true;
    try {
      const agent = newAgent(h.app);
      await identify(agent, 'newcomer@staff.example');
      const authorization = await toProvider(agent, '/sso/oidc/staff/login');
      const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'newcomer@staff.example'));
      expect(back.headers.location).toBe('/claim/flow/terms');
      const member = await db().source.manager.findOneByOrFail(h.runtime.db.entities.Member, { emailNormalized: 'newcomer@staff.example' });
      expect(member).toMatchObject({ status: 'invited', loginMethod: 'sso', passwordHash: null });
      expect((await eventsOf(member.id)).map((row) => row.event)).toEqual(['member.provisioned', 'claim.sso_succeeded', 'claim.started']);
      // Started like every other claim: counted in the same metric as links and codes.
      const started = await h.runtime.metrics.claimOutcomes.get();
      expect(started.values.find((v) => v.labels.method === 'sso' && v.labels.outcome === 'started')?.value).toBeGreaterThanOrEqual(1);
    } finally {
      (staff as { jitProvisioning: boolean }).jitProvisioning = false;
    }
  });

  it('answers the same for a known and an unknown address outside SSO domains: the password form', async () => {
    const { id } = await invite(h.runtime, 'known@example.com');
    expect(id).toBeTruthy();
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    const answers = [];
    for (const identifier of ['known@example.com', 'nobody@example.com']) {
      const res = await identify(newAgent(h.app), identifier);
      expect(res.status).toBe(200);
      expect(res.text).toContain('name="password"');
      answers.push(strip(res.text));
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it('refuses an identity no member matches when just-in-time provisioning is off', async () => {
    const agent = newAgent(h.app);
    await identify(agent, 'stranger@staff.example');
    const authorization = await toProvider(agent, '/sso/oidc/staff/login');
    const back = await callback(agent, await opBrowser(op).signIn(authorization.href, 'stranger@staff.example'));
    expect(back.status).toBe(400);
    const traceId = traceIdIn(back.text);
    expect((await auditByTrace(traceId))[0]).toMatchObject({ event: 'login.failed', details: { reason: 'unknown_identity', provider: 'staff' } });
    expect(await signedIn(agent)).toBe(false);
  });
});

describe('refused OIDC answers', () => {
  /** Starts a sign-in at the malicious peer and returns the pending request's parameters. */
  async function startAtMaliciousOp(agent: Agent) {
    const sent = await identify(agent, 'victim@evil.example');
    expect(sent.headers.location).toBe('/sso/oidc/mal/login');
    const authorization = await toProvider(agent, '/sso/oidc/mal/login');
    expect(authorization.origin).toBe(mal.issuer);
    return { state: authorization.searchParams.get('state')!, nonce: authorization.searchParams.get('nonce')! };
  }

  async function refused(agent: Agent, path: string, reason: string) {
    const res = await agent.get(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const traceId = traceIdIn(res.text);
    expect(res.text).not.toContain('eyJ');
    const rows = await auditByTrace(traceId);
    expect(rows).toEqual([expect.objectContaining({ event: 'login.failed', outcome: 'failure', details: expect.objectContaining({ provider: 'mal', reason, traceId }) })]);
    expect(JSON.stringify(rows)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(await signedIn(agent)).toBe(false);
    return rows[0]!;
  }

  async function attack(crafted: CraftedToken, reason: string, tamper: (query: URLSearchParams) => void = () => undefined) {
    const agent = newAgent(h.app);
    const { state, nonce } = await startAtMaliciousOp(agent);
    mal.next = { nonce, ...crafted };
    const query = new URLSearchParams({ code: 'a-code', state, iss: mal.issuer });
    tamper(query);
    return refused(agent, `/sso/oidc/mal/callback?${query}`, reason);
  }

  beforeAll(async () => {
    await invite(h.runtime, 'victim@evil.example', 'Victim');
  });

  it('accepts a well-formed answer from the same peer (the control for every attack below)', async () => {
    const agent = newAgent(h.app);
    const { state, nonce } = await startAtMaliciousOp(agent);
    mal.next = { nonce };
    const res = await agent.get(`/sso/oidc/mal/callback?${new URLSearchParams({ code: 'a-code', state, iss: mal.issuer })}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/claim/flow/terms');
  });

  it('CSRF on the callback: a state other than the pending one', async () => {
    await attack({}, 'state_mismatch', (query) => query.set('state', 'forged-state'));
  });

  it('login CSRF: a callback that no request of this browser started', async () => {
    const agent = newAgent(h.app);
    await refused(agent, `/sso/oidc/mal/callback?${new URLSearchParams({ code: 'a-code', state: 'attacker-state', iss: mal.issuer })}`, 'state_missing');
  });

  it('token replay or injection: an ID token with another nonce', async () => {
    await attack({ claims: { nonce: 'nonce-of-another-login' } }, 'nonce_mismatch');
  });

  it('token substitution: an ID token issued to another client (wrong audience)', async () => {
    await attack({ claims: { aud: 'another-client' } }, 'id_token_audience_mismatch');
  });

  it('mix-up: the authorization response names another issuer (RFC 9207)', async () => {
    await attack({}, 'issuer_mismatch', (query) => query.set('iss', op.issuer));
  });

  it('mix-up: an ID token issued by another issuer', async () => {
    await attack({ claims: { iss: op.issuer } }, 'issuer_mismatch');
  });

  it('unsigned token: alg none', async () => {
    await attack({ signing: 'none' }, 'id_token_alg_not_allowed');
  });

  it('forged token: a signature by a key the provider does not publish', async () => {
    await attack({ signing: 'attacker-key' }, 'id_token_signature_invalid');
  });

  it('stale token: an expired ID token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await attack({ claims: { iat: now - 7200, exp: now - 3600 } }, 'id_token_expired');
  });

  it('replayed callback: the same authorization response used a second time', async () => {
    const agent = newAgent(h.app);
    const { id } = await invite(h.runtime, 'replay@staff.example');
    await identify(agent, 'replay@staff.example');
    const authorization = await toProvider(agent, '/sso/oidc/staff/login');
    const url = await opBrowser(op).signIn(authorization.href, 'replay@staff.example');
    expect((await callback(agent, url)).headers.location).toBe('/claim/flow/terms');
    for (const replayer of [agent, newAgent(h.app)]) {
      const res = await callback(replayer, url);
      expect(res.status).toBe(400);
      const rows = await auditByTrace(traceIdIn(res.text));
      expect(rows[0]).toMatchObject({ event: 'login.failed', details: { provider: 'staff', reason: 'state_missing' } });
    }
    expect(await db().source.manager.countBy(h.runtime.db.entities.ClaimFlow, { memberId: id })).toBe(1);
  });

  it('shows a clear page with a trace id when the provider cannot be reached, and tries again on the next request', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const agent = newAgent(h.app);
      expect((await identify(agent, 'someone@down.example')).headers.location).toBe('/sso/oidc/down/login');
      const res = await agent.get('/sso/oidc/down/login');
      expect(res.status).toBe(502);
      expect(res.text).toContain('not answering');
      const rows = await auditByTrace(traceIdIn(res.text));
      expect(rows[0]).toMatchObject({ event: 'login.failed', details: { provider: 'down', reason: 'discovery_failed' } });
    }
  });

  it('mix-up at discovery: a provider whose discovery document names another issuer is never used', async () => {
    const agent = newAgent(h.app);
    expect((await identify(agent, 'someone@mixup.example')).headers.location).toBe('/sso/oidc/mixup/login');
    const res = await agent.get('/sso/oidc/mixup/login');
    expect(res.status).toBe(502);
    const rows = await auditByTrace(traceIdIn(res.text));
    expect(rows[0]).toMatchObject({ event: 'login.failed', details: { provider: 'mixup', reason: 'discovery_failed' } });
  });
});
