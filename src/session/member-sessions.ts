import { createHmac } from 'node:crypto';
import type { Request } from 'express';
import type session from 'express-session';
import { announceSessionEnding } from '../gateway/session-endings.js';
import type { Runtime } from '../runtime.js';
import { sessionVerdict } from './session-clock.js';
import './session-data.js';

/** One signed-in session of a member, as the member and the admins see it. */
export interface MemberSession {
  sid: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The client address at sign-in; empty for sessions signed in before addresses were recorded. */
  address: string;
  userAgent: string;
}

interface IndexedSession {
  sid: string;
  data: Partial<session.SessionData>;
}

/**
 * The member's live sessions, read through the index the session store keeps. Entries whose session is gone, timed
 * out or belongs to someone else (never written, destroyed elsewhere) are dropped from the index on the way.
 */
async function liveSessions(runtime: Runtime, memberId: string): Promise<IndexedSession[]> {
  const sids = await runtime.store.setMembers('memberSessions', memberId);
  const now = runtime.now().getTime();
  const read = await Promise.all(sids.map(async (sid) => {
    const raw = await runtime.store.get('sessions', sid);
    return { sid, data: raw ? (JSON.parse(raw) as Partial<session.SessionData>) : undefined };
  }));
  const live: IndexedSession[] = [];
  const stale: string[] = [];
  for (const { sid, data } of read) {
    const verdict = data?.memberId === memberId ? sessionVerdict(data, now, runtime.config.session) : 'gone';
    if (verdict === 'gone' || verdict === 'idle_timeout' || verdict === 'absolute_timeout') stale.push(sid);
    else live.push({ sid, data: data! });
  }
  await runtime.store.removeFromSet('memberSessions', memberId, stale);
  return live;
}

/**
 * What pages show for a session instead of its id: a keyed digest, so a page (or a script on the same origin, where
 * the gateway fronts the app) never holds a session id.
 */
export function sessionHandle(runtime: Runtime, sid: string): string {
  return createHmac('sha256', runtime.keys.session).update(`session-handle:${sid}`).digest('base64url').slice(0, 32);
}

/** The member's live sessions, the most recently used first. */
export async function listMemberSessions(runtime: Runtime, memberId: string): Promise<MemberSession[]> {
  const live = await liveSessions(runtime, memberId);
  return live
    .map(({ sid, data }) => {
      const createdAt = data.createdAt ?? data.authenticatedAt ?? 0;
      return {
        sid,
        createdAt: new Date(createdAt),
        lastSeenAt: new Date(data.lastSeenAt ?? createdAt),
        address: data.address ?? '',
        userAgent: data.userAgent ?? '',
      };
    })
    .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

export interface EndSessionsOptions {
  /** The session that stays (the one asking to sign out everywhere else). */
  keepSid?: string;
  /** Why, for the audit: `sign_out_everywhere`, `password_changed`, `deactivated`, ... */
  reason: string;
  actorId?: string | null;
  req?: Request;
}

/**
 * Ends every session of a member but `keepSid`, for every replica at once: the sessions leave the shared store (a
 * request in flight cannot write them back), every replica drops the member's cached identity and closes those
 * sessions' WebSocket tunnels (over Redis; without it the tunnel re-check closes them). Answers how many ended.
 */
export async function endMemberSessions(runtime: Runtime, memberId: string, options: EndSessionsOptions): Promise<number> {
  const sids = (await runtime.store.setMembers('memberSessions', memberId)).filter((sid) => sid !== options.keepSid);
  const ended: string[] = [];
  await Promise.all(sids.map(async (sid) => {
    const raw = await runtime.store.take('sessions', sid);
    if (raw && (JSON.parse(raw) as Partial<session.SessionData>).memberId === memberId) ended.push(sid);
  }));
  await runtime.store.removeFromSet('memberSessions', memberId, sids);
  runtime.identities.forget(memberId);
  await announceSessionEnding(runtime, options.keepSid ? { memberId, sids: ended } : { memberId });
  if (ended.length) {
    await runtime.audit({ event: 'session.ended', actorId: options.actorId ?? null, memberId, req: options.req, details: { reason: options.reason, sessions: ended.length } });
  }
  return ended.length;
}

/**
 * Ends one session of a member. A session id that is not one of this member's sessions ends nothing (false): a member
 * can never end, or learn anything about, someone else's session.
 */
export async function endSession(runtime: Runtime, memberId: string, sid: string, options: Omit<EndSessionsOptions, 'keepSid'> = { reason: 'ended' }): Promise<boolean> {
  const indexed = await runtime.store.setMembers('memberSessions', memberId);
  if (!indexed.includes(sid)) return false;
  const raw = await runtime.store.get('sessions', sid);
  if (!raw || (JSON.parse(raw) as Partial<session.SessionData>).memberId !== memberId) {
    await runtime.store.removeFromSet('memberSessions', memberId, [sid]);
    return false;
  }
  await runtime.store.delete('sessions', sid);
  await runtime.store.removeFromSet('memberSessions', memberId, [sid]);
  await announceSessionEnding(runtime, { memberId, sids: [sid] });
  await runtime.audit({ event: 'session.ended', actorId: options.actorId ?? memberId, memberId, req: options.req, details: { reason: options.reason } });
  return true;
}
