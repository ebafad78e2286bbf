import request from 'supertest';
import type { EntityManager } from 'typeorm';
import { newAgent, tokenFor, type Agent } from '../support/browser-agent.js';
import { acceptTerms, claimAll, invite, setPassword, startClaim, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assignedGroupNames, assignGroups, assignmentsOf, setAssignedGroups, unassignGroups } from '../../src/groups/assigned.js';
import { chosenGroupNames } from '../../src/groups/groups.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ firstAccess: { groups: { assignedOnly: ['Payroll'] } } });
});
afterAll(async () => {
  await h.close();
});

const inTransaction = <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => h.runtime.db.transaction(work);

async function claimedMember(): Promise<{ id: string; agent: Agent }> {
  const invited = await invite(h.runtime);
  const agent = newAgent(h.app);
  await claimAll(agent, invited.claimUrl);
  return { id: invited.id, agent };
}

describe('assigned and chosen groups', () => {
  // Attack: self-granted access. Choosing a group at first access never makes it an assigned group.
  it('keeps the groups a member chose apart from the groups assigned to them', async () => {
    const { id } = await claimedMember();
    expect(await chosenGroupNames(h.runtime.db, id)).toEqual(['Announcements', 'Engineering']);
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual([]);
    await inTransaction((manager) => assignGroups(h.runtime, manager, id, ['Finance', ' finance ', 'Announcements'], 'admin', 'admin-1'));
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Announcements', 'Finance']);
    expect(await chosenGroupNames(h.runtime.db, id)).toEqual(['Announcements', 'Engineering']);
    const rows = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { memberId: id, event: 'member.groups_assigned' });
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.details!)).toEqual({ source: 'admin', added: ['Announcements', 'Finance'], removed: [] });
    expect(rows[0]!.actorId).toBe('admin-1');
  });

  // Attack: one source (an IdP sign-in) wiping out what another (an admin) granted or revoked.
  it('replaces only the set held from one source', async () => {
    const { id } = await claimedMember();
    await inTransaction((manager) => assignGroups(h.runtime, manager, id, ['Finance'], 'admin', null));
    await inTransaction((manager) => setAssignedGroups(h.runtime, manager, id, ['Sales', 'Finance'], 'sso:corp', null));
    expect(await assignmentsOf(h.runtime.db, id)).toEqual([{ name: 'Finance', sources: ['admin', 'sso:corp'] }, { name: 'Sales', sources: ['sso:corp'] }]);
    const change = await inTransaction((manager) => setAssignedGroups(h.runtime, manager, id, ['Support'], 'sso:corp', null));
    expect(change).toEqual({ added: ['Support'], removed: ['Finance', 'Sales'] });
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Finance', 'Support']);
    await inTransaction((manager) => unassignGroups(h.runtime, manager, id, ['Finance'], 'admin', null));
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual(['Support']);
  });

  it('refuses an unknown source and writes nothing', async () => {
    const { id } = await claimedMember();
    await expect(inTransaction((manager) => assignGroups(h.runtime, manager, id, ['X'], 'self' as 'admin', null))).rejects.toThrow('not an assignment source');
    expect(await assignedGroupNames(h.runtime.db, id)).toEqual([]);
  });

  // Attack: a member searching for, or crafting a form with, a group that only the organisation hands out.
  it('never offers or accepts an assigned-only group at first access', async () => {
    const { id: other } = await claimedMember();
    await inTransaction((manager) => assignGroups(h.runtime, manager, other, ['Payroll', 'Secret project'], 'admin', null));
    const payroll = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Group, { nameNormalized: 'payroll' });
    const secret = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Group, { nameNormalized: 'secret project' });
    expect(payroll.selectable).toBe(false);
    expect(secret.selectable).toBe(false);

    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    await acceptTerms(agent);
    await submitProfile(agent);
    await setPassword(agent);
    const token = await tokenFor(agent, '/claim/flow/groups');
    const search = await agent.post('/claim/flow/groups').type('form').send({ _csrf: token, intent: 'search', q: 'pro' }).expect(200);
    expect(search.text).not.toContain('Secret project');
    const searchPayroll = await agent.post('/claim/flow/groups').type('form').send({ _csrf: token, intent: 'search', q: 'payroll' }).expect(200);
    expect(searchPayroll.text).not.toContain(payroll.id);
    const crafted = await agent.post('/claim/flow/groups').type('form').send(`_csrf=${encodeURIComponent(token)}&groups=${payroll.id}`);
    expect(crafted.status).toBe(400);
    expect(await chosenGroupNames(h.runtime.db, invited.id)).toEqual([]);
    expect(await assignedGroupNames(h.runtime.db, invited.id)).toEqual([]);
  });

  it('passes assigned groups as groups and chosen ones under their own name to forward auth', async () => {
    const { id, agent } = await claimedMember();
    await inTransaction((manager) => assignGroups(h.runtime, manager, id, ['Finance'], 'admin', null));
    h.runtime.identities.forget(id);
    const res = await agent.get('/auth/verify').expect(202);
    expect(res.headers['x-claimgate-groups']).toBe('Finance');
    expect(res.headers['x-claimgate-chosen-groups']).toBe('Announcements,Engineering');
    await request(h.app).get('/auth/verify').expect(401);
  });
});
