import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { FIELD_LENGTHS as LENGTH } from '../members/field-rules.js';
import { columnTypes, type Engine } from './column-types.js';
import type {
  AccessCodeRow, AssignmentRow, AuditRow, ClaimFlowRow, ClaimLinkRow, ExportChunkRow, ExportJobRow, GroupRow, ImportUploadRow, MemberRow, MembershipRow,
  PictureRow, RecoveryLinkRow, ReminderSentRow, ShortLivedRow, TermsAcceptanceRow,
} from './rows.js';
import type { ScimClientRow, ScimGroupMemberRow, ScimGroupRow, ScimUserRow } from './scim-rows.js';
import type { SsoAccountRow } from './sso-rows.js';
import type { ServiceTokenRow, WebhookAttemptRow, WebhookEndpointRow, WebhookMessageRow } from './integration-rows.js';

const text = (length?: number, nullable = false): EntitySchemaColumnOptions => ({ type: length ? 'varchar' : 'text', length, nullable });

/** Entity schemas for one engine; the migrations create the same tables. */
export function entities(engine: Engine) {
  const t = columnTypes(engine);
  const time = (name: string, nullable = false): EntitySchemaColumnOptions => ({ type: t.timestamp, name, nullable });

  const Member = new EntitySchema<MemberRow>({
    name: 'Member',
    tableName: 'members',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      email: text(LENGTH.email, true),
      emailNormalized: { ...text(LENGTH.email, true), name: 'email_normalized' },
      employeeId: { ...text(LENGTH.employeeId, true), name: 'employee_id' },
      username: text(LENGTH.username, true),
      usernameNormalized: { ...text(LENGTH.username, true), name: 'username_normalized' },
      name: text(LENGTH.name, true),
      firstName: { ...text(LENGTH.firstName, true), name: 'first_name' },
      lastName: { ...text(LENGTH.lastName, true), name: 'last_name' },
      title: text(LENGTH.title, true),
      department: text(LENGTH.department, true),
      location: text(LENGTH.location, true),
      phone: text(LENGTH.phone, true),
      locale: text(LENGTH.locale, true),
      managerEmail: { ...text(LENGTH.managerEmail, true), name: 'manager_email' },
      startDate: { ...text(LENGTH.startDate, true), name: 'start_date' },
      loginMethod: { ...text(16), name: 'login_method' },
      status: text(16),
      passwordHash: { ...text(undefined, true), name: 'password_hash' },
      pictureId: { ...text(36, true), name: 'picture_id' },
      createdAt: time('created_at'),
      updatedAt: time('updated_at'),
      invitedAt: time('invited_at', true),
      claimedAt: time('claimed_at', true),
      deactivatedAt: time('deactivated_at', true),
      passwordChangeRequiredAt: time('password_change_required_at', true),
    },
  });

  const ClaimLink = new EntitySchema<ClaimLinkRow>({
    name: 'ClaimLink',
    tableName: 'claim_links',
    columns: {
      id: { type: 'varchar', length: 32, primary: true },
      memberId: { ...text(36), name: 'member_id' },
      createdAt: time('created_at'),
      expiresAt: time('expires_at'),
      revokedAt: time('revoked_at', true),
      usedAt: time('used_at', true),
    },
  });

  const ClaimFlow = new EntitySchema<ClaimFlowRow>({
    name: 'ClaimFlow',
    tableName: 'claim_flows',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      memberId: { ...text(36), name: 'member_id' },
      linkId: { ...text(32, true), name: 'link_id' },
      accessCodeId: { ...text(36, true), name: 'access_code_id' },
      method: text(16),
      purpose: text(16),
      plan: text(),
      completed: text(),
      data: text(),
      state: text(16),
      version: { type: 'integer' },
      createdAt: time('created_at'),
      updatedAt: time('updated_at'),
      expiresAt: time('expires_at'),
      finishedAt: time('finished_at', true),
    },
  });

  const AccessCode = new EntitySchema<AccessCodeRow>({
    name: 'AccessCode',
    tableName: 'access_codes',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      memberId: { ...text(36), name: 'member_id' },
      codeHash: { ...text(64), name: 'code_hash' },
      createdAt: time('created_at'),
      expiresAt: time('expires_at'),
      usedAt: time('used_at', true),
      revokedAt: time('revoked_at', true),
      lockedAt: time('locked_at', true),
      failedAttempts: { type: 'integer', name: 'failed_attempts' },
      purpose: { ...text(16), default: 'claim' },
    },
  });

  const RecoveryLink = new EntitySchema<RecoveryLinkRow>({
    name: 'RecoveryLink',
    tableName: 'recovery_links',
    columns: {
      id: { type: 'varchar', length: 32, primary: true },
      memberId: { ...text(36), name: 'member_id' },
      createdAt: time('created_at'),
      expiresAt: time('expires_at'),
      revokedAt: time('revoked_at', true),
      usedAt: time('used_at', true),
    },
  });

  const TermsAcceptance = new EntitySchema<TermsAcceptanceRow>({
    name: 'TermsAcceptance',
    tableName: 'terms_acceptances',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      memberId: { ...text(36), name: 'member_id' },
      version: text(64),
      locale: text(LENGTH.locale, true),
      acceptedAt: time('accepted_at'),
    },
  });

  const Group = new EntitySchema<GroupRow>({
    name: 'Group',
    tableName: 'groups',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      name: text(100),
      nameNormalized: { ...text(100), name: 'name_normalized' },
      selectable: { type: 'boolean', default: true },
      createdAt: time('created_at'),
    },
  });

  const Membership = new EntitySchema<MembershipRow>({
    name: 'Membership',
    tableName: 'memberships',
    columns: {
      memberId: { type: 'varchar', length: 36, primary: true, name: 'member_id' },
      groupId: { type: 'varchar', length: 36, primary: true, name: 'group_id' },
      createdAt: time('created_at'),
    },
  });

  const Assignment = new EntitySchema<AssignmentRow>({
    name: 'Assignment',
    tableName: 'group_assignments',
    columns: {
      memberId: { type: 'varchar', length: 36, primary: true, name: 'member_id' },
      groupId: { type: 'varchar', length: 36, primary: true, name: 'group_id' },
      source: { type: 'varchar', length: 80, primary: true },
      assignedBy: { ...text(64, true), name: 'assigned_by' },
      createdAt: time('created_at'),
    },
  });

  const Picture = new EntitySchema<PictureRow>({
    name: 'Picture',
    tableName: 'profile_pictures',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      memberId: { ...text(36, true), name: 'member_id' },
      flowId: { ...text(36, true), name: 'flow_id' },
      contentType: { ...text(64), name: 'content_type' },
      width: { type: 'integer' },
      height: { type: 'integer' },
      bytes: { type: t.binary },
      createdAt: time('created_at'),
    },
  });

  const AuditEvent = new EntitySchema<AuditRow>({
    name: 'AuditEvent',
    tableName: 'audit_events',
    columns: {
      id: { type: t.bigId, primary: true, generated: 'increment' },
      time: time('time'),
      event: text(64),
      outcome: text(16),
      actorId: { ...text(64, true), name: 'actor_id' },
      memberId: { ...text(36, true), name: 'member_id' },
      method: text(16, true),
      ip: text(64, true),
      userAgent: { ...text(512, true), name: 'user_agent' },
      requestId: { ...text(64, true), name: 'request_id' },
      traceId: { ...text(32, true), name: 'trace_id' },
      details: text(),
    },
  });

  const ImportUpload = new EntitySchema<ImportUploadRow>({
    name: 'ImportUpload',
    tableName: 'import_uploads',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      adminId: { ...text(36, true), name: 'admin_id' },
      tokenId: { ...text(36, true), name: 'token_id' },
      fileName: { ...text(255), name: 'file_name' },
      content: { type: t.binary },
      size: { type: 'integer' },
      createdAt: time('created_at'),
      expiresAt: time('expires_at'),
      appliedAt: time('applied_at', true),
    },
  });

  const ExportJob = new EntitySchema<ExportJobRow>({
    name: 'ExportJob',
    tableName: 'export_jobs',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      adminId: { ...text(36, true), name: 'admin_id' },
      tokenId: { ...text(36, true), name: 'token_id' },
      filter: text(),
      state: text(16),
      rowCount: { type: 'integer', name: 'row_count' },
      bytes: { type: t.bigId, transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } },
      error: text(200, true),
      createdAt: time('created_at'),
      runId: { ...text(36, true), name: 'run_id' },
      startedAt: time('started_at', true),
      finishedAt: time('finished_at', true),
      expiresAt: time('expires_at'),
      downloadedAt: time('downloaded_at', true),
    },
  });

  const ExportChunk = new EntitySchema<ExportChunkRow>({
    name: 'ExportChunk',
    tableName: 'export_chunks',
    columns: {
      jobId: { type: 'varchar', length: 36, primary: true, name: 'job_id' },
      seq: { type: 'integer', primary: true },
      data: { type: t.binary },
    },
  });

  const ReminderSent = new EntitySchema<ReminderSentRow>({
    name: 'ReminderSent',
    tableName: 'reminders_sent',
    columns: {
      linkId: { type: 'varchar', length: 32, primary: true, name: 'link_id' },
      day: { type: 'integer', primary: true },
      memberId: { ...text(36), name: 'member_id' },
      sentAt: time('sent_at'),
    },
  });

  // Single sign-on: accounts linked by (issuer, subject), and single-use markers (OIDC state, SAML request ids).
  const SsoAccount = new EntitySchema<SsoAccountRow>({
    name: 'SsoAccount',
    tableName: 'sso_accounts',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      memberId: { ...text(36), name: 'member_id' },
      providerId: { ...text(64), name: 'provider_id' },
      issuer: text(512),
      subject: text(255),
      createdAt: time('created_at'),
      lastUsedAt: time('last_used_at'),
    },
  });

  // The short-lived store without Redis (src/store/sql-store.ts). Times are milliseconds since the epoch.
  const ShortLived = new EntitySchema<ShortLivedRow>({
    name: 'ShortLived',
    tableName: 'short_lived',
    columns: {
      key: { type: 'varchar', length: 512, primary: true },
      value: text(undefined, true),
      count: { type: 'integer' },
      expiresAt: { type: 'bigint', name: 'expires_at', transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } },
    },
  });

  // SCIM provisioning (src/scim/).
  const ScimClient = new EntitySchema<ScimClientRow>({
    name: 'ScimClient',
    tableName: 'scim_clients',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      name: text(64),
      tokenHash: { ...text(64), name: 'token_hash' },
      createdAt: time('created_at'),
      rotatedAt: time('rotated_at', true),
      revokedAt: time('revoked_at', true),
      lastUsedAt: time('last_used_at', true),
    },
  });

  const ScimUser = new EntitySchema<ScimUserRow>({
    name: 'ScimUser',
    tableName: 'scim_users',
    columns: {
      memberId: { type: 'varchar', length: 36, primary: true, name: 'member_id' },
      clientId: { ...text(36), name: 'client_id' },
      externalId: { ...text(255, true), name: 'external_id' },
      userName: { ...text(320), name: 'user_name' },
      userNameNormalized: { ...text(320), name: 'user_name_normalized' },
      version: { type: 'integer' },
      createdAt: time('created_at'),
      updatedAt: time('updated_at'),
    },
  });

  const ScimGroup = new EntitySchema<ScimGroupRow>({
    name: 'ScimGroup',
    tableName: 'scim_groups',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      clientId: { ...text(36), name: 'client_id' },
      displayName: { ...text(100), name: 'display_name' },
      displayNameNormalized: { ...text(100), name: 'display_name_normalized' },
      externalId: { ...text(255, true), name: 'external_id' },
      version: { type: 'integer' },
      createdAt: time('created_at'),
      updatedAt: time('updated_at'),
    },
  });

  const ScimGroupMember = new EntitySchema<ScimGroupMemberRow>({
    name: 'ScimGroupMember',
    tableName: 'scim_group_members',
    columns: {
      groupId: { type: 'varchar', length: 36, primary: true, name: 'group_id' },
      memberId: { type: 'varchar', length: 36, primary: true, name: 'member_id' },
    },
  });

  const WebhookEndpoint = new EntitySchema<WebhookEndpointRow>({
    name: 'WebhookEndpoint',
    tableName: 'webhook_endpoints',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      name: text(64),
      url: text(),
      events: text(),
      source: text(16),
      state: text(16),
      secretSealed: { ...text(undefined, true), name: 'secret_sealed' },
      previousSecretSealed: { ...text(undefined, true), name: 'previous_secret_sealed' },
      previousUntil: time('previous_until', true),
      failingSince: time('failing_since', true),
      disabledAt: time('disabled_at', true),
      createdAt: time('created_at'),
      updatedAt: time('updated_at'),
    },
  });

  const WebhookMessage = new EntitySchema<WebhookMessageRow>({
    name: 'WebhookMessage',
    tableName: 'webhook_messages',
    columns: {
      id: { type: t.bigId, primary: true, generated: 'increment' },
      endpointId: { ...text(36), name: 'endpoint_id' },
      msgId: { ...text(40), name: 'msg_id' },
      event: text(64),
      memberKey: { ...text(36, true), name: 'member_key' },
      payload: text(),
      state: text(16),
      attempts: { type: 'integer' },
      lastStatus: { type: 'integer', nullable: true, name: 'last_status' },
      createdAt: time('created_at'),
      nextAttemptAt: time('next_attempt_at'),
      leaseUntil: time('lease_until', true),
      deliveredAt: time('delivered_at', true),
    },
  });

  const WebhookAttempt = new EntitySchema<WebhookAttemptRow>({
    name: 'WebhookAttempt',
    tableName: 'webhook_attempts',
    columns: {
      id: { type: t.bigId, primary: true, generated: 'increment' },
      messageId: { type: t.bigId, name: 'message_id' },
      endpointId: { ...text(36), name: 'endpoint_id' },
      attemptedAt: time('attempted_at'),
      status: { type: 'integer', nullable: true },
      durationMs: { type: 'integer', name: 'duration_ms' },
      error: text(200, true),
      nextAttemptAt: time('next_attempt_at', true),
    },
  });

  const ServiceToken = new EntitySchema<ServiceTokenRow>({
    name: 'ServiceToken',
    tableName: 'service_tokens',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      name: text(48),
      prefix: text(16),
      tokenHash: { ...text(64), name: 'token_hash' },
      permissions: text(),
      createdAt: time('created_at'),
      expiresAt: time('expires_at', true),
      revokedAt: time('revoked_at', true),
      lastUsedAt: time('last_used_at', true),
    },
  });

  return {
    ScimClient, ScimUser, ScimGroup, ScimGroupMember,
    Member, ClaimLink, AccessCode, ClaimFlow, TermsAcceptance, Group, Membership, Assignment, Picture, AuditEvent, ShortLived,
    SsoAccount, ImportUpload, ExportJob, ExportChunk, ReminderSent, RecoveryLink, WebhookEndpoint, WebhookMessage, WebhookAttempt, ServiceToken,
  };
}

export type Entities = ReturnType<typeof entities>;
