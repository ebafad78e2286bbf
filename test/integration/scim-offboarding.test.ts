import request from 'supertest';
import { createApp, type AppHandle } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { newAgent } from '../support/browser-agent.js';
import { claimAll } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { USER, patchOf, scimClient } from '../support/scim.js';

let h: Harness;
let second: { runtime: Runtime; handle: AppHandle } | undefined;

beforeAll(async () => {
  h = await startHarness({ scim: { onCreate: 'invite' } });
  // A second replica on the same database (and Redis, when configured); the embedded mode is one process by design.
  if (h.config.database.url) {
    const runtime = await createRuntime(h.config, { logger: createLogger('silent'), migrate: false });
    second = { runtime, handle: createApp(runtime) };
  }
});
afterAll(async () => {
  await second?.handle.close();
  await second?.runtime.close();
  await h.close();
});

test('a provisioned member deprovisioned by the IdP loses its open session at once, on every replica (offboarded employee keeps access)', async () => {
  const entra = await scimClient(h, 'entra');
  const created = await entra.post('/Users', { schemas: [USER], userName: 'leaver@corp.example', name: { givenName: 'Lee', familyName: 'Ver' } }).expect(201);
  const claimUrl = /http:\/\/claimgate\.test\/claim\/[A-Za-z0-9_-]+/.exec(mailsTo(h.dataDir, 'leaver@corp.example').join(''))![0];
  const agent = newAgent(h.app);
  const claimed = await claimAll(agent, claimUrl);
  const cookie = ([] as string[]).concat(claimed.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
  expect(cookie).toMatch(/=/);
  await agent.get('/').expect(200);
  // The other replica has read (and cached) the member's identity before the IdP acts.
  if (second) await request(second.handle.handler).get('/').set('Cookie', cookie).expect(200);

  await entra.patch(`/Users/${created.body.id}`, patchOf({ op: 'Replace', path: 'active', value: 'False' })).expect(200);
  // The very next request, with no wait: the cached identity (gateway.identityCacheTtl, 10s) must not carry it.
  const cut = await agent.get('/');
  expect(cut.status).not.toBe(200);
  expect(cut.headers.location ?? '').toMatch(/\/login/);
  if (second) {
    const elsewhere = await request(second.handle.handler).get('/').set('Cookie', cookie);
    expect(elsewhere.status).not.toBe(200);
  }

  const ended = await h.runtime.db.source.manager.findBy(h.runtime.db.entities.AuditEvent, { event: 'session.ended', memberId: created.body.id });
  expect(ended.map((row) => JSON.parse(row.details).reason)).toEqual(['deactivated']);
  expect(ended[0]!.actorId).toBe('scim:entra');

  // Re-activated by the IdP: back to claimed without a new claim, but the ended session stays ended.
  await entra.patch(`/Users/${created.body.id}`, patchOf({ op: 'Replace', path: 'active', value: 'True' })).expect(200);
  const row = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { id: created.body.id });
  expect(row.status).toBe('claimed');
  expect((await agent.get('/')).status).not.toBe(200);
});
