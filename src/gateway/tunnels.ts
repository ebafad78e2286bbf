import type { Duplex } from 'node:stream';

/** Whose session a tunnel carries. */
export interface TunnelOwner {
  sid: string;
  memberId: string;
}

/**
 * The open WebSocket tunnels of one replica. Those that carry a session are also indexed by session id and by
 * member, so that the end of a session or of a member's right to sign in can close every tunnel it opened; a public
 * route's tunnel has no owner and is closed only by a drain. A closed client socket also ends its upstream socket
 * (the proxy ends one when the other closes).
 */
export class Tunnels {
  private readonly open = new Set<Duplex>();
  private readonly bySession = new Map<string, { memberId: string; sockets: Set<Duplex> }>();

  add(socket: Duplex, owner?: TunnelOwner): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    if (!owner) return;
    let entry = this.bySession.get(owner.sid);
    if (!entry) this.bySession.set(owner.sid, (entry = { memberId: owner.memberId, sockets: new Set() }));
    entry.sockets.add(socket);
    socket.once('close', () => {
      entry.sockets.delete(socket);
      if (!entry.sockets.size && this.bySession.get(owner.sid) === entry) this.bySession.delete(owner.sid);
    });
  }

  /** The sessions that have at least one open tunnel: the only ones worth re-reading. */
  owners(): TunnelOwner[] {
    return [...this.bySession].map(([sid, { memberId }]) => ({ sid, memberId }));
  }

  /** How many sessions have at least one open tunnel. */
  get sessions(): number {
    return this.bySession.size;
  }

  /** Closes every tunnel of a session; answers how many were closed. */
  endSession(sid: string): number {
    const entry = this.bySession.get(sid);
    if (!entry) return 0;
    this.bySession.delete(sid);
    for (const socket of entry.sockets) socket.destroy();
    return entry.sockets.size;
  }

  /** Closes every tunnel of every session of a member; answers how many were closed. */
  endMember(memberId: string): number {
    let closed = 0;
    for (const [sid, entry] of [...this.bySession]) if (entry.memberId === memberId) closed += this.endSession(sid);
    return closed;
  }

  /** Closes every open tunnel, with a session or without; answers how many were closed. */
  endAll(): number {
    const count = this.open.size;
    for (const socket of [...this.open]) socket.destroy();
    this.bySession.clear();
    return count;
  }
}
