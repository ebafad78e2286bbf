import { csrfFrom, newAgent, type Agent } from '../support/browser-agent.js';
import { acceptTerms, chooseUsername, claimWithCode, enterCode, GOOD_PASSWORD, pickGroups, setPassword, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { deactivateAccessCode, reissueAccessCode } from '../../src/access-codes/admin.js';
import { revokeInvitation } from '../../src/members/revoke.js';

let h: Harness;
let serial = 0;

beforeAll(async () => {
  h = await startHarness({ trustProxy: true, claim: { accessCodeLimits: { perIp: 10, perIpWindow: '1m', perMember: 5, global: 1000 } } });
});
afterAll(() => h.close());

async function newEmployee(name = 'Frontline Person') {
  return inviteByEmployeeId(h.runtime, { employeeId: `E${Date.now()}${++serial}`, name, actorId: 'test' });
}

/** Every attempt from its own forged address, so the per-address brake does not hide the others. */
function from(ip: string) {
  return { 'X-Forwarded-For': ip };
}
let ipSerial = 0;
const freshIp = () => from(`198.51.${Math.floor(++ipSerial / 250)}.${ipSerial % 250}`);

async function signInAs(agent: Agent, identifier: string, password = GOOD_PASSWORD) {
  const token = csrfFrom((await agent.get('/login')).text);
  return agent.post('/login').type('form').send({ _csrf: token, identifier, password });
}

const strip = (text: string) => text.replace(/value="[0-9a-f]{40,}"/g, '').replace(/id="employeeId"[^>]*>/, '');

describe('claim with an access code', () => {
  it('takes a member without email from the printed code to signed in, and they sign in later with their username', async () => {
    const invited = await newEmployee('Sam Shift');
    expect(invited.accessCode).toMatch(/^[A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4}$/);
    const agent = newAgent(h.app);
    const started = await enterCode(agent, invited.employeeId.toLowerCase(), invited.accessCode.toLowerCase().replace(/-/g, ' '), freshIp());
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe('/claim/flow/username');
    await chooseUsername(agent, 'Sam.Shift');
    await acceptTerms(agent);
    await submitProfile(agent, { name: 'Sam Shift' });
    await setPassword(agent);
    const done = await pickGroups(agent);
    expect(done.headers.location).toBe('/');
    expect((await agent.get('/').expect(200)).text).toContain('sam.shift'.replace('sam.shift', 'Sam.Shift'));

    const nextDay = newAgent(h.app);
    expect((await signInAs(nextDay, 'SAM.SHIFT')).headers.location).toBe('/');
    const { db } = h.runtime;
    const member = await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id });
    expect(member).toMatchObject({ status: 'claimed', username: 'Sam.Shift', usernameNormalized: 'sam.shift', email: null });
    const events = (await db.source.manager.findBy(db.entities.AuditEvent, { memberId: invited.id })).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['member.invited', 'claim.started', 'claim.completed']));
  });

  // Attack: reusing a code after the claim, an expired code, a replaced or deactivated code, a revoked invitation.
  it('answers a wrong, used, expired, replaced, deactivated or unknown code identically', async () => {
    const answers: Array<{ status: number; body: string }> = [];
    const record = async (employeeId: string, code: string) => {
      const res = await enterCode(newAgent(h.app), employeeId, code, freshIp());
      answers.push({ status: res.status, body: strip(res.text) });
    };

    const wrong = await newEmployee();
    await record(wrong.employeeId, 'ABCD-EFGH-JKMN-PQRS');
    const used = await newEmployee();
    await claimWithCode(newAgent(h.app), used.employeeId, used.accessCode, `used${serial}`);
    await record(used.employeeId, used.accessCode);
    const replaced = await newEmployee();
    const fresh = await reissueAccessCode(h.runtime, replaced.id, 'test');
    expect(fresh.accessCode).not.toBe(replaced.accessCode);
    await record(replaced.employeeId, replaced.accessCode);
    const deactivated = await newEmployee();
    await deactivateAccessCode(h.runtime, deactivated.id, 'test');
    await record(deactivated.employeeId, deactivated.accessCode);
    const revoked = await newEmployee();
    await revokeInvitation(h.runtime, revoked.id, 'test');
    await record(revoked.employeeId, revoked.accessCode);
    await record('NO-SUCH-EMPLOYEE', wrong.accessCode);
    await record(wrong.employeeId, 'not a code at all');

    const expiring = await newEmployee();
    h.advance(h.config.claim.accessCodeTtl + 1000);
    try {
      await record(expiring.employeeId, expiring.accessCode);
    } finally {
      h.advance(-(h.config.claim.accessCodeTtl + 1000));
    }

    expect(answers[0]!.status).toBe(400);
    expect(answers[0]!.body).toContain('The employee ID or access code is not right');
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    // The replacement code still works.
    expect((await enterCode(newAgent(h.app), replaced.employeeId, fresh.accessCode, freshIp())).status).toBe(303);
  });

  // Attack: two devices racing to claim with the same code.
  it('gives exactly one claim when one code is used twice at once', async () => {
    const invited = await newEmployee();
    const [a, b] = [newAgent(h.app), newAgent(h.app)];
    const starts = await Promise.all([enterCode(a, invited.employeeId, invited.accessCode, freshIp()), enterCode(b, invited.employeeId, invited.accessCode, freshIp())]);
    expect(starts.map((r) => r.status)).toEqual([303, 303]);
    await chooseUsername(a, `race${serial}a`);
    await acceptTerms(a);
    await submitProfile(a);
    await setPassword(a);
    const ids = [...(await a.get('/claim/flow/groups')).text.matchAll(/name="groups" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]);
    const tokenA = csrfFrom((await a.get('/claim/flow/groups')).text);
    const tokenB = csrfFrom((await b.get('/claim/flow/groups')).text);
    const results = await Promise.all([
      a.post('/claim/flow/groups').type('form').send(`_csrf=${encodeURIComponent(tokenA)}&groups=${ids[0]}`),
      b.post('/claim/flow/groups').type('form').send(`_csrf=${encodeURIComponent(tokenB)}&groups=${ids[0]}`),
    ]);
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { memberId: invited.id, event: 'claim.completed' })).toBe(1);
    expect(await db.source.manager.countBy(db.entities.Membership, { memberId: invited.id })).toBe(1);
  });

  it('refuses a username someone already has, in any letter case', async () => {
    const first = await newEmployee();
    const name = `Taken${serial}`;
    await claimWithCode(newAgent(h.app), first.employeeId, first.accessCode, name);
    const second = await newEmployee();
    const agent = newAgent(h.app);
    await enterCode(agent, second.employeeId, second.accessCode, freshIp());
    const res = await chooseUsername(agent, name.toUpperCase(), 400);
    expect(res.text).toContain('That username is taken');
    expect((await chooseUsername(agent, 'admin', 400)).text).toContain('reserved');
    expect((await chooseUsername(agent, 'has space', 400)).text).toContain('Use letters, digits');
    expect((await chooseUsername(agent, 'someone@example.com', 400)).text).toContain('Use letters, digits');
  });

  // Attack: two members choosing the same username at the same time; the second must not fail half-way.
  it('reopens only the username step when the chosen name was taken before completion', async () => {
    const [one, two] = [await newEmployee(), await newEmployee()];
    const name = `same${serial}`;
    const a = newAgent(h.app);
    await enterCode(a, one.employeeId, one.accessCode, freshIp());
    await chooseUsername(a, name);
    await claimWithCode(newAgent(h.app), two.employeeId, two.accessCode, name);
    await acceptTerms(a);
    await submitProfile(a);
    await setPassword(a);
    const done = await pickGroups(a);
    expect(done.headers.location).toBe('/claim/flow/username?taken=1');
    expect((await a.get('/claim/flow/username?taken=1').expect(200)).text).toContain('Someone took that username');
    // Every other step stays done: the new name completes the claim at once.
    const finished = await chooseUsername(a, `${name}b`);
    expect(finished.headers.location).toBe('/');
    const { db } = h.runtime;
    expect((await db.source.manager.findOneByOrFail(db.entities.Member, { id: one.id })).username).toBe(`${name}b`);
  });
});

describe('guessing access codes', () => {
  // Attack: brute force from one address.
  it('blocks one address after a few wrong codes, and audits it', async () => {
    const target = await newEmployee();
    const agent = newAgent(h.app);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await enterCode(agent, `GUESS${i}`, 'ABCD-EFGH-JKMN-PQRS', from('203.0.113.7'))).status);
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    // The real member, from their own address, is not affected by someone else's block.
    expect((await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp())).status).toBe(303);
    const { db } = h.runtime;
    const throttled = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'claim.code_failed' });
    expect(throttled.filter((row) => row.details.includes('throttled'))).toHaveLength(1);
  });

  // Attack: guessing one member's code from many addresses.
  it('locks a member\'s code after consecutive failures, says so, and a new code recovers', async () => {
    const target = await newEmployee();
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) answers.push((await enterCode(newAgent(h.app), target.employeeId, 'ABCD-EFGH-JKMN-PQRS', freshIp())).status);
    expect(answers).toEqual([400, 400, 400, 400, 429, 429, 429]);
    const locked = await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp());
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('the code is locked');
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { memberId: target.id, event: 'claim.code_locked' })).toBe(1);

    const recovered = await reissueAccessCode(h.runtime, target.id, 'test');
    expect((await enterCode(newAgent(h.app), target.employeeId, recovered.accessCode, freshIp())).status).toBe(303);
  });

  // Attack: probing which employee IDs exist through the lock-out message.
  it('locks unknown employee IDs the same way, so a lock-out reveals nothing', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) answers.push((await enterCode(newAgent(h.app), 'GHOST-42', 'ABCD-EFGH-JKMN-PQRS', freshIp())).status);
    expect(answers).toEqual([400, 400, 400, 400, 429, 429, 429]);
  });

  // Attack: spraying guesses across many members from many forged addresses.
  it('stops every guess once the global ceiling is reached, then lets the real member in after the window', async () => {
    const spray = await startHarness({ trustProxy: true, claim: { accessCodeLimits: { perIp: 10, perMember: 5, global: 40, globalWindow: '1h' } } });
    try {
      await sprayAgainst(spray);
    } finally {
      await spray.close();
    }
  });
});

/**
 * Guesses across many employee IDs from many forged addresses until the global ceiling stops them. The window is
 * the runtime clock's: the spray starts at the beginning of one, however slow the machine, and the test moves the
 * clock past it instead of waiting.
 */
async function sprayAgainst(h: Harness): Promise<void> {
  const hour = 60 * 60 * 1000;
  h.advance(hour - (h.runtime.now().getTime() % hour));
  const target = await inviteByEmployeeId(h.runtime, { employeeId: 'SPRAY-TARGET', name: 'Target', actorId: 'test' });
  const statuses: number[] = [];
  for (let i = 0; i < 60; i++) statuses.push((await enterCode(newAgent(h.app), `SPRAY${i}`, 'ABCD-EFGH-JKMN-PQRS', freshIp())).status);
  expect(statuses.slice(0, 40).every((s) => s === 400)).toBe(true);
  expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
  const secondsToNextWindow = () => (hour - (h.runtime.now().getTime() % hour)) / 1000;
  const atMost = Math.ceil(secondsToNextWindow());
  const during = await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp());
  expect(during.status).toBe(429);
  // Retry-After names the start of the next window.
  expect(Number(during.headers['retry-after'])).toBeLessThanOrEqual(atMost);
  expect(Number(during.headers['retry-after'])).toBeGreaterThanOrEqual(Math.floor(secondsToNextWindow()));
  const { db } = h.runtime;
  const ceiling = await db.source.manager.findBy(db.entities.AuditEvent, { event: 'claim.code_locked' });
  expect(ceiling.filter((row) => row.details.includes('"global"'))).toHaveLength(1);

  h.advance(hour);
  expect((await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp())).status).toBe(303);
}
