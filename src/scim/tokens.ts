import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { isUniqueViolation } from '../db/errors.js';
import type { ScimClientRow } from '../db/scim-rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';

const TOKEN_PREFIX = 'cgscim_';
const CLIENT_NAME = /^[a-z0-9][a-z0-9._-]{0,39}$/;

/** The audit actor of everything a client does: its name, so the trail reads "scim:entra". */
export const scimActor = (client: Pick<ScimClientRow, 'name'>) => `scim:${client.name}`;

/** 256 random bits: stored as its SHA-256 only, so a copy of the database cannot act as the client. */
function newToken(): { token: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function isClientName(name: string): boolean {
  return CLIENT_NAME.test(name);
}

export interface IssuedToken {
  client: ScimClientRow;
  /** Shown once; nothing can show it again. */
  token: string;
}

export async function createScimClient(runtime: Runtime, name: string, actorId: string): Promise<IssuedToken> {
  if (!isClientName(name)) throw new AppError('validation_failed', 'bad client name', 'A client name is 1 to 40 lower-case letters, digits, dots, dashes or underscores.');
  const { db } = runtime;
  const now = runtime.now();
  const { token, hash } = newToken();
  const client: ScimClientRow = { id: randomUUID(), name, tokenHash: hash, createdAt: now, rotatedAt: null, revokedAt: null, lastUsedAt: null };
  try {
    await db.transaction(async (manager) => {
      await manager.insert(db.entities.ScimClient, client);
      await runtime.audit({ event: 'scim.token_created', actorId, details: { client: name } }, manager);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('validation_failed', 'client exists', `A SCIM client named ${name} exists already: rotate its token instead.`);
    throw error;
  }
  return { client, token };
}

async function activeClient(runtime: Runtime, name: string): Promise<ScimClientRow> {
  const client = await runtime.db.source.manager.findOneBy(runtime.db.entities.ScimClient, { name, revokedAt: IsNull() });
  if (!client) throw new AppError('validation_failed', 'no such client', `There is no active SCIM client named ${name}.`);
  return client;
}

/** A new token for the client; the old one stops working at once. */
export async function rotateScimToken(runtime: Runtime, name: string, actorId: string): Promise<IssuedToken> {
  const { db } = runtime;
  const client = await activeClient(runtime, name);
  const now = runtime.now();
  const { token, hash } = newToken();
  await db.transaction(async (manager) => {
    await manager.update(db.entities.ScimClient, { id: client.id }, { tokenHash: hash, rotatedAt: now });
    await runtime.audit({ event: 'scim.token_rotated', actorId, details: { client: name } }, manager);
  });
  return { client: { ...client, tokenHash: hash, rotatedAt: now }, token };
}

/** The client's token stops working; the members it provisioned stay as they are. */
export async function revokeScimToken(runtime: Runtime, name: string, actorId: string): Promise<void> {
  const { db } = runtime;
  const client = await activeClient(runtime, name);
  const now = runtime.now();
  await db.transaction(async (manager) => {
    // The hash is replaced too: a revoked token must not match any row, even one a later bug would read as active.
    await manager.update(db.entities.ScimClient, { id: client.id }, { revokedAt: now, tokenHash: `revoked:${client.id}`.slice(0, 64) });
    await runtime.audit({ event: 'scim.token_revoked', actorId, details: { client: name } }, manager);
  });
}

export async function listScimClients(runtime: Runtime): Promise<ScimClientRow[]> {
  return runtime.db.source.manager.find(runtime.db.entities.ScimClient, { order: { name: 'ASC' } });
}

/**
 * The active client a bearer token belongs to. The lookup is by the token's SHA-256 (an index probe), so its timing
 * says nothing about how close a guess came to a real token.
 */
export async function clientForToken(runtime: Runtime, token: string): Promise<ScimClientRow | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
  return runtime.db.source.manager.findOneBy(runtime.db.entities.ScimClient, { tokenHash: tokenHash(token), revokedAt: IsNull() });
}
