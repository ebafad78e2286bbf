import { newAgent, tokenFor } from '../support/browser-agent.js';
import { acceptTerms, invite, pickGroups, setPassword, startClaim, submitProfile, groupIdsOnPage } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('claim completion under races', () => {
  // Attack: two browsers finishing the same claim at once to get two accounts, or a double-applied claim.
  it('two concurrent completions give exactly one claimed member', async () => {
    const invited = await invite(h.runtime);
    const a = newAgent(h.app);
    const b = newAgent(h.app);
    await startClaim(a, invited.claimUrl);
    await acceptTerms(a);
    await submitProfile(a);
    await setPassword(a);
    await startClaim(b, invited.claimUrl);

    const ids = (await groupIdsOnPage(a)).slice(0, 1);
    const [tokenA, tokenB] = [await tokenFor(a, '/claim/flow/groups'), await tokenFor(b, '/claim/flow/groups')];
    const body = (token: string) => `_csrf=${encodeURIComponent(token)}&groups=${ids[0]}`;
    const results = await Promise.all([
      a.post('/claim/flow/groups').type('form').send(body(tokenA)),
      b.post('/claim/flow/groups').type('form').send(body(tokenB)),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(303);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);

    const { db } = h.runtime;
    const m = db.source.manager;
    expect((await m.findOneByOrFail(db.entities.Member, { id: invited.id })).status).toBe('claimed');
    expect(await m.countBy(db.entities.Membership, { memberId: invited.id })).toBe(1);
    expect(await m.countBy(db.entities.TermsAcceptance, { memberId: invited.id })).toBe(1);
    expect(await m.countBy(db.entities.AuditEvent, { memberId: invited.id, event: 'claim.completed' })).toBe(1);
  });

  it('many parallel starts of one link share one flow', async () => {
    const invited = await invite(h.runtime);
    const agents = Array.from({ length: 5 }, () => newAgent(h.app));
    await Promise.all(agents.map((agent) => startClaim(agent, invited.claimUrl)));
    const { db } = h.runtime;
    expect(await db.source.manager.countBy(db.entities.ClaimFlow, { memberId: invited.id })).toBe(1);
    await acceptTerms(agents[0]!);
    await submitProfile(agents[0]!);
    await setPassword(agents[0]!);
    await pickGroups(agents[0]!);
    expect((await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id })).status).toBe('claimed');
  });
});
