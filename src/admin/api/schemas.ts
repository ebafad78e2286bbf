import { z } from 'zod';
import { PERMISSIONS } from '../../config/schema.js';
import { MEMBER_STATUSES } from '../people-query.js';
import { isSequenceCursor } from '../../db/ids.js';

/** `next` of the previous page of an id-ordered list. */
export const rowIdCursor = z.string().regex(/^\d{1,19}$/).refine(isSequenceCursor, 'expected the `next` value of the previous page');

/** Dates travel as ISO 8601 text. */
export const time = z.iso.datetime();
const maybe = <T extends z.ZodType>(schema: T) => schema.nullable();

/** A row id in a path; unknown ids (UUID or not) answer 404 rather than 400, as the pages do. */
export const idParams = z.object({ id: z.string().max(100).meta({ format: 'uuid' }).describe('A UUID; any other value is not found') });

export const memberStatusSchema = z.enum(MEMBER_STATUSES as ['provisioned', 'invited', 'claimed', 'deactivated']).meta({ id: 'MemberStatus' });

export const memberSchema = z.object({
  id: z.string(),
  email: maybe(z.string()), emailNormalized: maybe(z.string()), employeeId: maybe(z.string()),
  username: maybe(z.string()), usernameNormalized: maybe(z.string()),
  name: maybe(z.string()), firstName: maybe(z.string()), lastName: maybe(z.string()), title: maybe(z.string()),
  department: maybe(z.string()), location: maybe(z.string()), phone: maybe(z.string()), locale: maybe(z.string()),
  managerEmail: maybe(z.string()), startDate: maybe(z.string()),
  loginMethod: z.enum(['password', 'sso']),
  status: memberStatusSchema,
  pictureId: maybe(z.string()),
  createdAt: time, updatedAt: time, invitedAt: maybe(time), claimedAt: maybe(time), deactivatedAt: maybe(time),
  passwordChangeRequiredAt: maybe(time),
}).meta({ id: 'Member' });

export const assignedGroupsSchema = z.array(z.object({ name: z.string(), sources: z.array(z.string()) }).meta({ id: 'AssignedGroup' }));

export const permissionsSchema = z.array(z.enum(PERMISSIONS));

export const auditEntrySchema = z.object({
  id: z.string(), time, event: z.string(), outcome: z.enum(['success', 'failure']),
  actorId: maybe(z.string()), memberId: maybe(z.string()), method: maybe(z.string()), ip: maybe(z.string()),
  userAgent: maybe(z.string()), requestId: maybe(z.string()), traceId: maybe(z.string()),
  details: z.record(z.string(), z.unknown()).describe('The event\'s details, as recorded'),
}).meta({ id: 'AuditEvent' });
