import type { FlowState } from '../claim/machine.js';
export type MemberStatus = 'provisioned' | 'invited' | 'claimed' | 'deactivated';
export type LoginMethod = 'password' | 'sso';

export interface MemberRow {
  id: string;
  email: string | null;
  emailNormalized: string | null;
  employeeId: string | null;
  username: string | null;
  usernameNormalized: string | null;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  phone: string | null;
  locale: string | null;
  managerEmail: string | null;
  startDate: string | null;
  loginMethod: LoginMethod;
  status: MemberStatus;
  passwordHash: string | null;
  pictureId: string | null;
  createdAt: Date;
  updatedAt: Date;
  invitedAt: Date | null;
  claimedAt: Date | null;
  deactivatedAt: Date | null;
  /** Set by an admin: the member's next password sign-in goes to choosing a new password before anything else. */
  passwordChangeRequiredAt: Date | null;
}

export interface ClaimLinkRow {
  id: string;
  memberId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  usedAt: Date | null;
}

export interface AccessCodeRow {
  id: string;
  memberId: string;
  codeHash: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  lockedAt: Date | null;
  failedAttempts: number;
  /** `claim` opens a claim for an invited member; `recovery` lets a claimed member choose a new password. */
  purpose: AccessCodePurpose;
}

export type AccessCodePurpose = 'claim' | 'recovery';

/** A password reset link: like a claim link, the database holds only its random id (the MAC needs the server key). */
export interface RecoveryLinkRow {
  id: string;
  memberId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  usedAt: Date | null;
}

export interface ClaimFlowRow {
  id: string;
  memberId: string;
  linkId: string | null;
  accessCodeId: string | null;
  method: 'link' | 'code' | 'sso' | 'signin';
  purpose: 'claim' | 'reaccept' | 'recover';
  plan: string;
  completed: string;
  data: string;
  /** Written only by the claim flow aggregate (src/claim/flow.ts), through its machine. */
  state: FlowState;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  finishedAt: Date | null;
}

export interface TermsAcceptanceRow {
  id: string;
  memberId: string;
  version: string;
  locale: string | null;
  acceptedAt: Date;
}

export interface GroupRow {
  id: string;
  name: string;
  nameNormalized: string;
  /** Whether members may choose it at first access (pool and search); assigned-only groups are never offered. */
  selectable: boolean;
  createdAt: Date;
}

/** A group a member chose at first access: social, never read for access. */
export interface MembershipRow {
  memberId: string;
  groupId: string;
  createdAt: Date;
}

/** A group the organisation assigned to a member, from one source; the only groups access decisions read. */
export interface AssignmentRow {
  memberId: string;
  groupId: string;
  source: string;
  assignedBy: string | null;
  createdAt: Date;
}

export interface PictureRow {
  id: string;
  memberId: string | null;
  flowId: string | null;
  contentType: string;
  width: number;
  height: number;
  bytes: Buffer;
  createdAt: Date;
}

export interface AuditRow {
  id: string;
  time: Date;
  event: string;
  outcome: 'success' | 'failure';
  actorId: string | null;
  memberId: string | null;
  method: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  traceId: string | null;
  details: string;
}

/** One entry of the short-lived store without Redis: a value, or a counter, until `expiresAt` (ms since the epoch). */
export interface ShortLivedRow {
  key: string;
  value: string | null;
  count: number;
  expiresAt: number;
}

export interface ImportUploadRow {
  id: string;
  /** The admin who asked; null when a service token did. */
  adminId: string | null;
  /** The service token that asked, if one did. */
  tokenId: string | null;
  fileName: string;
  content: Buffer;
  size: number;
  createdAt: Date;
  expiresAt: Date;
  appliedAt: Date | null;
}

export type ExportJobState = 'queued' | 'running' | 'ready' | 'failed';

export interface ExportJobRow {
  id: string;
  /** The admin who asked; null when a service token did. */
  adminId: string | null;
  /** The service token that asked, if one did. */
  tokenId: string | null;
  /** JSON of the export filter: { status, search }. */
  filter: string;
  state: ExportJobState;
  rowCount: number;
  bytes: number;
  error: string | null;
  createdAt: Date;
  /** The run that owns the job now: a run that was taken over stops writing. */
  runId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date;
  downloadedAt: Date | null;
}

export interface ExportChunkRow {
  jobId: string;
  seq: number;
  data: Buffer;
}

export interface ReminderSentRow {
  linkId: string;
  day: number;
  memberId: string;
  sentAt: Date;
}
