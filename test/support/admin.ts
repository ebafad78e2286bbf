import { inviteByEmail } from '../../src/members/invite.js';
import { newAgent, csrfFrom, type Agent } from './browser-agent.js';
import { claimAll } from './claim-walk.js';
import type { Harness } from './harness.js';

/** A member who claimed their account and is signed in, with a CSRF token for their session. */
export async function signedInMember(h: Harness, email: string, name = 'Signed In'): Promise<{ agent: Agent; id: string; csrf: string }> {
  const invited = await inviteByEmail(h.runtime, { email, name, actorId: 'test' });
  const agent = newAgent(h.app);
  await claimAll(agent, invited.claimUrl);
  const home = await agent.get('/').expect(200);
  return { agent, id: invited.id, csrf: csrfFrom(home.text) };
}
