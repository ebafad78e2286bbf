/** A place claimgate posts signed events to. Config endpoints keep their secrets in the configuration, not here. */
export interface WebhookEndpointRow {
  id: string;
  name: string;
  url: string;
  /** JSON array of audit event names; `["*"]` for every event. */
  events: string;
  source: 'config' | 'api';
  state: 'active' | 'disabled';
  /** The signing secret sealed with a key derived from the server secret (AES-256-GCM); null for config endpoints. */
  secretSealed: string | null;
  previousSecretSealed: string | null;
  /** Until when the previous secret still signs (rotation: both are valid at once). */
  previousUntil: Date | null;
  failingSince: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One event to deliver to one endpoint: the outbox row, written in the transaction of the audit row it reports. */
export interface WebhookMessageRow {
  id: string;
  endpointId: string;
  /** The `webhook-id`: the same on every retry, so receivers can deduplicate. */
  msgId: string;
  event: string;
  /** Events about one member are delivered in order; null for events about no member. */
  memberKey: string | null;
  payload: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  createdAt: Date;
  nextAttemptAt: Date;
  /** While set and in the future, one process is delivering the message. */
  leaseUntil: Date | null;
  deliveredAt: Date | null;
}

export interface WebhookAttemptRow {
  id: string;
  messageId: string;
  endpointId: string;
  attemptedAt: Date;
  /** The HTTP status, or null when no answer came (refused, timed out). */
  status: number | null;
  durationMs: number;
  error: string | null;
  nextAttemptAt: Date | null;
}

export interface ServiceTokenRow {
  id: string;
  name: string;
  /** The first characters of the token, shown in lists so an admin can tell tokens apart. */
  prefix: string;
  /** sha256 of the whole token, hex. */
  tokenHash: string;
  /** JSON array of permissions. */
  permissions: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}
