import type { Database } from '../../db/database.js';
import { field, type Step } from './step.js';

const PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const RESERVED = new Set(['admin', 'administrator', 'root', 'system', 'support', 'security', 'claimgate', 'help', 'null', 'undefined']);

export function normalizeUsername(value: string): string {
  return value.trim().toLowerCase();
}

export async function usernameTaken(db: Database, normalized: string): Promise<boolean> {
  return (await db.source.manager.countBy(db.entities.Member, { usernameNormalized: normalized })) > 0;
}

/** Members who claim with an access code have no email: they choose the name they will sign in with. */
export const usernameStep: Step = {
  id: 'username',
  title: 'claim.username.title',
  template: 'claim/username.njk',
  isRequired: (_config, _member, { purpose, method }) => purpose === 'claim' && method === 'code',
  async locals({ runtime, flow, req }) {
    const { minLength, maxLength } = runtime.config.claim.username;
    const taken = req.method === 'GET' && req.query.taken === '1';
    return {
      minLength,
      maxLength,
      values: { username: flow.data.username ?? '' },
      ...(taken ? { errors: [{ field: 'username', message: 'claim.username.taken' }] } : {}),
    };
  },
  async submit({ runtime, flow, req }) {
    const { minLength, maxLength } = runtime.config.claim.username;
    const username = field(req.body, 'username').trim();
    const normalized = normalizeUsername(username);
    const problem =
      normalized.length < minLength || normalized.length > maxLength ? `Use ${minLength} to ${maxLength} characters.`
      : !PATTERN.test(normalized) ? 'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.'
      : RESERVED.has(normalized) ? 'That username is reserved. Choose another.'
      : (await usernameTaken(runtime.db, normalized)) ? 'That username is taken. Choose another.'
      : undefined;
    if (problem) return { ok: false, errors: [{ field: 'username', message: problem }], locals: { values: { username } } };
    return { ok: true, data: { ...flow.data, username } };
  },
};
