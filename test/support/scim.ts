import request from 'supertest';
import { createScimClient } from '../../src/scim/tokens.js';
import type { Harness } from './harness.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A provisioning client and a way to send it requests as an IdP would (bearer token, application/scim+json). */
export async function scimClient(h: Harness, name: string) {
  const { token, client } = await createScimClient(h.runtime, name, 'test');
  const auth = (test: request.Test) => test.set('Authorization', `Bearer ${token}`).set('Accept', 'application/scim+json');
  const json = (test: request.Test, body: unknown) => auth(test).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
  return {
    token,
    client,
    get: (path: string) => auth(request(h.app).get(`/scim/v2${path}`)),
    post: (path: string, body: unknown) => json(request(h.app).post(`/scim/v2${path}`), body),
    put: (path: string, body: unknown) => json(request(h.app).put(`/scim/v2${path}`), body),
    patch: (path: string, body: unknown) => json(request(h.app).patch(`/scim/v2${path}`), body),
    delete: (path: string) => auth(request(h.app).delete(`/scim/v2${path}`)),
  };
}

export type ScimTestClient = Awaited<ReturnType<typeof scimClient>>;

export const patchOf = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
