import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { IsNull } from 'typeorm';
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '../config/schema.js';
import { parseDuration } from '../config/duration.js';
import type { ServiceTokenRow } from '../db/integration-rows.js';
import { AppError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';

/** Every service token starts with this, so a leaked one is recognisable (secret scanners, logs) and never mistaken. */
export const TOKEN_PREFIX = 'cgt_';
const SHOWN_LENGTH = TOKEN_PREFIX.length + 8;

export const tokenInputSchema = z.strictObject({
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (at most 40)'),
  permissions: z.array(z.enum(PERMISSIONS)).min(1),
  /** A duration such as 90d; absent: the token does not expire. */
  expiresIn: z.string().optional(),
});
export type TokenInput = z.input<typeof tokenInputSchema>;

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** The actor written in audit rows for what a token does. */
export const tokenActor = (token: Pick<ServiceTokenRow, 'name'>) => `token:${token.name}`;

export function publicToken(token: ServiceTokenRow) {
  return {
    id: token.id, name: token.name, prefix: token.prefix, permissions: JSON.parse(token.permissions) as Permission[],
    createdAt: token.createdAt.toISOString(), expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null, lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}

/** Creates a token: 256 random bits, stored only as sha256; the token itself is returned once and never again. */
export async function createToken(runtime: Runtime, input: TokenInput, actorId: string, req?: Request) {
  const parsed = tokenInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', 'bad token', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; '));
  const lifetime = parsed.data.expiresIn === undefined ? undefined : parseDuration(parsed.data.expiresIn);
  if (parsed.data.expiresIn !== undefined && !lifetime) throw new AppError('validation_failed', 'bad token lifetime', `"${parsed.data.expiresIn}" is not a duration (use e.g. 30d, 90d, 12h).`);
  const { db } = runtime;
  const now = runtime.now();
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row: ServiceTokenRow = {
    id: randomUUID(), name: parsed.data.name, prefix: token.slice(0, SHOWN_LENGTH), tokenHash: hashToken(token),
    permissions: JSON.stringify([...new Set(parsed.data.permissions)]), createdAt: now,
    expiresAt: lifetime ? new Date(now.getTime() + lifetime) : null, revokedAt: null, lastUsedAt: null,
  };
  await db.transaction(async (manager) => {
    if (await manager.existsBy(db.entities.ServiceToken, { name: row.name })) {
      throw new AppError('conflict', 'token name taken', `A service token named ${row.name} exists already (revoked ones keep their name).`);
    }
    await manager.insert(db.entities.ServiceToken, row);
    await runtime.audit({ event: 'token.created', actorId, req, details: { token: row.name, prefix: row.prefix, permissions: JSON.parse(row.permissions) as string[], expiresAt: row.expiresAt?.toISOString() ?? null } }, manager);
  });
  return { token, ...publicToken(row) };
}

export async function listTokens(runtime: Runtime) {
  const rows = await runtime.db.source.manager.find(runtime.db.entities.ServiceToken, { order: { createdAt: 'ASC', name: 'ASC' } });
  return rows.map(publicToken);
}

/** Revokes at once: every replica reads tokens from the database on every request, so none honours it afterwards. */
export async function revokeToken(runtime: Runtime, nameOrId: string, actorId: string, req?: Request) {
  const { db } = runtime;
  const now = runtime.now();
  return db.transaction(async (manager) => {
    const token = await manager.findOne(db.entities.ServiceToken, { where: [{ name: nameOrId }, ...(/^[0-9a-f-]{36}$/i.test(nameOrId) ? [{ id: nameOrId }] : [])] });
    if (!token) throw new AppError('not_found', `no token ${nameOrId}`, `There is no service token named ${nameOrId}.`);
    if (!token.revokedAt) {
      await manager.update(db.entities.ServiceToken, { id: token.id, revokedAt: IsNull() }, { revokedAt: now });
      await runtime.audit({ event: 'token.revoked', actorId, req, details: { token: token.name, prefix: token.prefix } }, manager);
    }
    return publicToken({ ...token, revokedAt: token.revokedAt ?? now });
  });
}

/** The live token a bearer value names, or null: unknown, revoked and expired tokens are all refused alike. */
export async function findLiveToken(runtime: Runtime, bearer: string): Promise<ServiceTokenRow | null> {
  if (!bearer.startsWith(TOKEN_PREFIX) || bearer.length > 100) return null;
  const { db } = runtime;
  const token = await db.source.manager.findOneBy(db.entities.ServiceToken, { tokenHash: hashToken(bearer) });
  const now = runtime.now();
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
  // Last use to the minute: a write per request would make every API call a database write.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
    await db.source.manager.update(db.entities.ServiceToken, { id: token.id }, { lastUsedAt: now });
  }
  return token;
}
