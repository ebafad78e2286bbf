/** The closed list of audit events. Adding one is a deliberate change here, nowhere else. */
export const AUDIT_EVENTS = [
  'member.provisioned',
  'member.invited',
  'member.revoked',
  'member.deactivated',
  'member.code_issued',
  'member.code_revoked',
  'member.reminded',
  'claim.link_opened',
  'claim.link_rejected',
  'claim.started',
  'claim.step_completed',
  'claim.step_rejected',
  'claim.completed',
  'claim.code_failed',
  'claim.code_locked',
  'claim.sso_succeeded',
  'claim.sso_mismatch',
  'claim.sso_failed',
  'terms.accepted',
  'login.succeeded',
  'login.failed',
  'session.ended',
  'request.csrf_rejected',
  'audit.archived',
  'export.requested',
  'export.completed',
  'export.failed',
  'export.downloaded',
  'export.download_refused',
  'import.previewed',
  'import.applied',
  'admin.access_denied',
] as const;

export type AuditEvent = (typeof AUDIT_EVENTS)[number];
export type AuditOutcome = 'success' | 'failure';
export type ClaimMethod = 'link' | 'code' | 'sso' | 'password' | 'cli';
