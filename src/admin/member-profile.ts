import type { Request } from 'express';
import { z } from 'zod';
import { PROFILE_FIELDS, type ProfileField } from '../config/schema.js';
import { isRowId } from '../db/ids.js';
import type { MemberRow } from '../db/rows.js';
import { AppError } from '../http/errors.js';
import { FIELD_LENGTHS, profileFieldProblem } from '../members/field-rules.js';
import type { Runtime } from '../runtime.js';
import { guardAdminTarget } from './admin-targets.js';
import { idpManagement } from '../scim/managed-fields.js';

const PROBLEMS = { too_long: 'is too long', malformed: 'is not valid' } as const;

/**
 * One profile field: text (trimmed; empty clears it, as null does), checked by the rules the profile step uses. Its
 * length is counted in characters (code points) by those rules; `maxLength` only tells the document.
 */
function fieldSchema(field: ProfileField) {
  return z.string().trim().meta({ maxLength: FIELD_LENGTHS[field] }).nullable().optional().superRefine((value, context) => {
    const problem = value ? profileFieldProblem(field, value) : undefined;
    if (problem) context.addIssue({ code: 'custom', message: PROBLEMS[problem] });
  });
}

/** The profile fields an admin may change: the ones a member fills in at first access. */
export const profileChangeSchema = z.strictObject(Object.fromEntries(PROFILE_FIELDS.map((field) => [field, fieldSchema(field)])) as Record<ProfileField, ReturnType<typeof fieldSchema>>)
  // Only for a body that is otherwise valid: an unknown key is reported alone.
  .refine((change) => Object.values(change).some((value) => value !== undefined), { message: 'name at least one field to change', when: (payload) => !payload.issues.length });

export type ProfileChange = z.output<typeof profileChangeSchema>;

/**
 * An admin changes a member's profile fields. Fields a SCIM client manages are refused (its next update would
 * overwrite them silently); the change and the names of the fields it touched are audited as `member.updated`.
 */
export async function updateProfile(runtime: Runtime, memberId: string, change: ProfileChange, actorId: string, req?: Request): Promise<MemberRow> {
  const { db } = runtime;
  const member = isRowId(memberId) ? await db.source.manager.findOneBy(db.entities.Member, { id: memberId }) : null;
  if (!member) throw new AppError('not_found', 'no such member');
  await guardAdminTarget(runtime, req, [member], 'update', member.id);
  const named = PROFILE_FIELDS.filter((field) => change[field] !== undefined);
  const managed = await idpManagement(db, member.id);
  const taken = managed ? named.filter((field) => (managed.fields as readonly string[]).includes(field)) : [];
  if (managed && taken.length) {
    throw new AppError('conflict', `fields managed by SCIM client ${managed.client}`, `${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} managed by ${managed.client}: change ${taken.length > 1 ? 'them' : 'it'} there.`);
  }
  const values = Object.fromEntries(named.map((field) => [field, change[field] || null])) as Partial<MemberRow>;
  const changed = named.filter((field) => (values[field] ?? null) !== member[field]);
  if (!changed.length) return member;
  const updatedAt = runtime.now();
  await db.transaction(async (manager) => {
    await manager.update(db.entities.Member, { id: member.id }, { ...values, updatedAt });
    await runtime.audit({ event: 'member.updated', actorId, memberId: member.id, req, details: { fields: changed } }, manager);
  });
  return { ...member, ...values, updatedAt };
}
