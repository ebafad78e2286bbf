import { inviteByEmail, type InviteResult } from '../../src/members/invite.js';
import type { Runtime } from '../../src/runtime.js';
import type { RequestListener } from 'node:http';
import { claimPath, csrfFrom, newAgent, tokenFor, type Agent } from './browser-agent.js';

export const GOOD_PASSWORD = 'correct horse battery staple';

let counter = 0;
export async function invite(runtime: Runtime, email = `member${++counter}-${Date.now()}@example.com`, name = 'Test Member'): Promise<InviteResult> {
  return inviteByEmail(runtime, { email, name, actorId: 'test' });
}

export async function startClaim(agent: Agent, claimUrl: string): Promise<string> {
  const path = claimPath(claimUrl);
  const token = await tokenFor(agent, path);
  const started = await agent.post(path).type('form').send({ _csrf: token }).expect(303);
  return started.headers.location as string;
}

export async function acceptTerms(agent: Agent, expected = 303) {
  const token = await tokenFor(agent, '/claim/flow/terms');
  return agent.post('/claim/flow/terms').type('form').send({ _csrf: token, accept: 'yes' }).expect(expected);
}

export async function submitProfile(agent: Agent, fields: Record<string, string> = { name: 'Ada Lovelace', title: 'Analyst' }, expected = 303) {
  const token = await tokenFor(agent, '/claim/flow/profile');
  return agent.post('/claim/flow/profile').type('form').send({ _csrf: token, ...fields }).expect(expected);
}

export async function setPassword(agent: Agent, password = GOOD_PASSWORD, confirm = password, expected = 303) {
  const token = await tokenFor(agent, '/claim/flow/password');
  return agent.post('/claim/flow/password').type('form').send({ _csrf: token, password, confirm }).expect(expected);
}

export async function groupIdsOnPage(agent: Agent): Promise<string[]> {
  const page = await agent.get('/claim/flow/groups').expect(200);
  return [...page.text.matchAll(/name="groups" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]!);
}

export async function pickGroups(agent: Agent, count = 1, expected = 303) {
  const ids = (await groupIdsOnPage(agent)).slice(0, count);
  const token = await tokenFor(agent, '/claim/flow/groups');
  return agent.post('/claim/flow/groups').type('form').send(`_csrf=${encodeURIComponent(token)}&${ids.map((id) => `groups=${id}`).join('&')}`).expect(expected);
}

/** Walks a whole claim through every step; returns the last response (the redirect after completion). */
export async function claimAll(agent: Agent, claimUrl: string, profile?: Record<string, string>) {
  await startClaim(agent, claimUrl);
  await acceptTerms(agent);
  await submitProfile(agent, profile);
  await setPassword(agent);
  return pickGroups(agent, 2);
}

/**
 * Invites `email`, walks the whole claim, then signs in with the password in a fresh browser: that browser (to sign
 * out with) and its session cookie (for requests and sockets made without supertest).
 */
export async function signedInMember(runtime: Runtime, app: RequestListener, email?: string, name?: string): Promise<{ id: string; email: string; agent: Agent; cookie: string }> {
  const invited = await invite(runtime, email, name);
  await claimAll(newAgent(app), invited.claimUrl);
  const agent = newAgent(app);
  const token = csrfFrom((await agent.get('/login')).text);
  const res = await agent.post('/login').type('form').send({ _csrf: token, identifier: invited.email, password: GOOD_PASSWORD }).expect(303);
  return { id: invited.id, email: invited.email, agent, cookie: (res.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]! };
}

/** Types an employee ID and access code at the claim page; returns the response. */
export async function enterCode(agent: Agent, employeeId: string, code: string, headers: Record<string, string> = {}) {
  const token = await tokenFor(agent, '/claim/code');
  return agent.post('/claim/code').set(headers).type('form').send({ _csrf: token, employeeId, code });
}

export async function chooseUsername(agent: Agent, username: string, expected = 303) {
  const token = await tokenFor(agent, '/claim/flow/username');
  return agent.post('/claim/flow/username').type('form').send({ _csrf: token, username }).expect(expected);
}

/** Walks a whole access-code claim: code, username, then every first-access step. */
export async function claimWithCode(agent: Agent, employeeId: string, code: string, username: string) {
  const started = await enterCode(agent, employeeId, code);
  if (started.status !== 303) throw new Error(`code refused: ${started.status}`);
  await chooseUsername(agent, username);
  await acceptTerms(agent);
  await submitProfile(agent);
  await setPassword(agent);
  return pickGroups(agent, 1);
}
