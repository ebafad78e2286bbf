import { newAgent, tokenFor } from '../support/browser-agent.js';
import { acceptTerms, claimAll, invite, pickGroups, setPassword, startClaim, submitProfile, groupIdsOnPage } from '../support/claim-walk.js';
import type { Request } from 'express';
import { saveInvitedMember } from '../../src/members/invited-member.js';
import { completeFlow } from '../../src/claim/complete.js';
import { loadFlow } from '../../src/claim/flow.js';
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

  // Attack: racing the final commit itself from two sessions, past every step check.
  it('two sessions finishing the same flow at once give exactly one claim', async () => {
    const invited = await invite(h.runtime);
    const a = newAgent(h.app);
    const b = newAgent(h.app);
    await startClaim(a, invited.claimUrl);
    await startClaim(b, invited.claimUrl);
    await acceptTerms(a);
    await submitProfile(a);
    await setPassword(a);
    const { db } = h.runtime;
    const flow = await db.source.manager.findOneByOrFail(db.entities.ClaimFlow, { memberId: invited.id });
    const groupId = (await groupIdsOnPage(a))[0]!;
    // Every step saved, completion not yet run: what a crash between the two would leave.
    await db.transaction((m) => m.update(db.entities.ClaimFlow, { id: flow.id }, {
      completed: JSON.stringify(['terms', 'profile', 'password', 'groups']), state: 'done',
      data: JSON.stringify({ ...JSON.parse(flow.data), groupIds: [groupId] }),
    }));
    const [tokenA, tokenB] = [await tokenFor(a, '/claim/flow/finish'), await tokenFor(b, '/claim/flow/finish')];
    const results = await Promise.all([
      a.post('/claim/flow/finish').type('form').send({ _csrf: tokenA }),
      b.post('/claim/flow/finish').type('form').send({ _csrf: tokenB }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(303);
    expect([400, 409]).toContain(statuses[1]);
    const m = db.source.manager;
    expect(await m.countBy(db.entities.Membership, { memberId: invited.id })).toBe(1);
    expect(await m.countBy(db.entities.TermsAcceptance, { memberId: invited.id })).toBe(1);
    expect(await m.countBy(db.entities.AuditEvent, { memberId: invited.id, event: 'claim.completed' })).toBe(1);
  });

  // The completion transaction itself, called twice at once with the same flow: its guards alone must hold.
  it('completing one flow twice concurrently commits once and reports the loser', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    const { db } = h.runtime;
    const row = await db.source.manager.findOneByOrFail(db.entities.ClaimFlow, { memberId: invited.id });
    await db.transaction((m) => m.update(db.entities.ClaimFlow, { id: row.id }, { completed: JSON.stringify(['terms', 'profile', 'password', 'groups']), state: 'done' }));
    const flow = (await loadFlow(db, row.id))!;
    const req = { ip: '127.0.0.1', id: 'race', get: () => undefined } as unknown as Request;
    const outcomes = await Promise.allSettled([completeFlow(h.runtime, flow, req), completeFlow(h.runtime, flow, req)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(rejected.reason).toMatchObject({ code: 'claim_already_completed' });
    expect(await db.source.manager.countBy(db.entities.AuditEvent, { memberId: invited.id, event: 'claim.completed' })).toBe(1);
  });

  // Attack (or accident): an admin re-invites while the member completes; the claim must not be undone.
  it('an invitation written from a stale read never undoes a claim', async () => {
    const invited = await invite(h.runtime);
    const { db } = h.runtime;
    const stale = await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id });
    await claimAll(newAgent(h.app), invited.claimUrl);
    await expect(db.transaction((m) => saveInvitedMember(db, m, stale, () => stale, { name: 'Stale' }, new Date(), true))).rejects.toMatchObject({ code: 'validation_failed' });
    const member = await db.source.manager.findOneByOrFail(db.entities.Member, { id: invited.id });
    expect(member.status).toBe('claimed');
    expect(member.passwordHash).toBeTruthy();
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
