import { randomUUID } from 'node:crypto';
import type { MemberRow } from '../db/rows.js';

/** A member row as it is first written: a new id, every optional field empty, then `values` over that. */
export function newMemberRow(values: Partial<MemberRow>, now: Date): MemberRow {
  return {
    id: randomUUID(), email: null, emailNormalized: null, employeeId: null, username: null, usernameNormalized: null, name: null,
    firstName: null, lastName: null, title: null, department: null, location: null, phone: null, locale: null, managerEmail: null,
    startDate: null, loginMethod: 'password', status: 'provisioned', passwordHash: null, pictureId: null, createdAt: now, updatedAt: now,
    invitedAt: null, claimedAt: null, deactivatedAt: null, passwordChangeRequiredAt: null, ...values,
  };
}
