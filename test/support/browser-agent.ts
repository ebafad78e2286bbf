import type { RequestListener } from 'node:http';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

export type Agent = TestAgent;

export function newAgent(app: RequestListener): Agent {
  return request.agent(app);
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('page has no CSRF token');
  return match[1]!;
}

export function claimPath(claimUrl: string): string {
  return new URL(claimUrl).pathname;
}

/** GET a page and return its CSRF token, as a browser showing the form would have it. */
export async function tokenFor(agent: Agent, path: string): Promise<string> {
  const page = await agent.get(path).expect(200);
  return csrfFrom(page.text);
}
