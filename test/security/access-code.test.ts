import { enterCode } from '../support/claim-walk.js';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { countDatabaseWork } from '../support/database-work.js';
import { startHarness, type Harness } from '../support/harness.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';

let h: Harness;
let serial = 0;
beforeAll(async () => {
  h = await startHarness({ trustProxy: true, claim: { accessCodeLimits: { perIp: 10, perIpWindow: '10m', perMember: 5, global: 1000 } } });
});
afterAll(() => h.close());

let ipSerial = 0;
const freshIp = () => ({ 'X-Forwarded-For': `198.18.0.${++ipSerial}` });
const newEmployee = () => inviteByEmployeeId(h.runtime, { employeeId: `SEC${Date.now()}${++serial}`, name: 'Code Person', actorId: 'test' });
const strip = (text: string) => text.replace(/value="[0-9a-f]{40,}"/g, '').replace(/value="[^"]*"/g, '');

describe('access codes', () => {
  // Attack: learning which employee IDs exist from the answer to a wrong code.
  it('employee-ID enumeration: an unknown ID and a wrong code for a real ID get the same status and page', async () => {
    const real = await newEmployee();
    const unknown = await enterCode(newAgent(h.app), 'NOBODY-1', 'ABCD-EFGH-JKMN-PQRS', freshIp());
    const wrong = await enterCode(newAgent(h.app), real.employeeId, 'ABCD-EFGH-JKMN-PQRS', freshIp());
    expect(unknown.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(strip(wrong.text)).toBe(strip(unknown.text));
  });

  // Attack: learning which employee IDs exist from how long a wrong code takes (a known ID cost an extra transaction).
  it('employee-ID enumeration by timing: an unknown ID and a wrong code for a real ID cost the same database work', async () => {
    const real = await newEmployee();
    const unknownId = `NOBODY${Date.now()}`;
    // The page's form first, so that only the POST is counted.
    const attempt = async (employeeId: string) => {
      const agent = newAgent(h.app);
      const token = csrfFrom((await agent.get('/claim/code')).text);
      let answer: { status: number; text: string } | undefined;
      const work = await countDatabaseWork(h.runtime.db, async () => {
        answer = await agent.post('/claim/code').set(freshIp()).type('form').send({ _csrf: token, employeeId, code: 'ABCD-EFGH-JKMN-PQRS' });
      });
      return { work, answer: answer! };
    };
    const unknown = await attempt(unknownId);
    const wrong = await attempt(real.employeeId);
    expect(wrong.answer.status).toBe(400);
    expect(unknown.answer.status).toBe(400);
    expect(strip(wrong.answer.text)).toBe(strip(unknown.answer.text));
    expect(wrong.work.transactions).toBeGreaterThan(0);
    expect(unknown.work).toEqual(wrong.work);
  });

  // Attack: brute-forcing codes from one address; the answer says when to come back.
  it('code brute force: one address is blocked with 429, Retry-After and a readable page', async () => {
    const agent = newAgent(h.app);
    const ip = { 'X-Forwarded-For': '203.0.113.200' };
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 12; i++) {
      last = await enterCode(agent, `BRUTE${i}`, 'ABCD-EFGH-JKMN-PQRS', ip);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(60);
    expect(last!.text).toContain('Too many attempts');
  });

  // Attack: guessing one member's code from many addresses.
  it('distributed guessing of one code: the code locks after consecutive failures and the lock-out is audited', async () => {
    const target = await newEmployee();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await enterCode(newAgent(h.app), target.employeeId, 'ABCD-EFGH-JKMN-PQRS', freshIp())).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429, 429]);
    expect((await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp())).status).toBe(429);
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { memberId: target.id, event: 'claim.code_locked' })).toBe(1);
  });

  // Attack: reading codes out of a stolen database.
  it('database theft: the database holds only a hash of the code', async () => {
    const target = await newEmployee();
    const { db } = h.runtime;
    const dump = JSON.stringify(await db.source.query('SELECT * FROM access_codes'));
    expect(dump).not.toContain(target.accessCode);
    expect(dump).not.toContain(target.accessCode.replace(/-/g, ''));
  });

  // Attack: using a code twice (two devices, or a second person with the printed letter).
  it('code replay: a code works for one claim only', async () => {
    const target = await newEmployee();
    expect((await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp())).status).toBe(303);
    const { claimWithCode } = await import('../support/claim-walk.js');
    await claimWithCode(newAgent(h.app), target.employeeId, target.accessCode, `user${serial}x`);
    expect((await enterCode(newAgent(h.app), target.employeeId, target.accessCode, freshIp())).status).toBe(400);
  });
});
