import type { Request } from 'express';
import type session from 'express-session';

/**
 * The session objects express-session generated in this process (a first visit, a regenerate, an id the store no
 * longer knows, which gets a fresh random id). Only these may be created in the store; a session that was read from
 * the store may only be written back while it is still there. The mark lives on the in-memory object, so nothing a
 * client sends can set it, and it is gone with the request.
 */
const generated = new WeakSet<object>();

/** Marks every session `store.generate` creates from now on. Call after `session()` has installed its generate. */
export function markGeneratedSessions(store: session.Store): void {
  // Installed on the store by session() at run time; @types/express-session does not declare it.
  const installed = store as session.Store & { generate(req: Request): void };
  const generate = installed.generate.bind(installed);
  installed.generate = (req: Request) => {
    generate(req);
    generated.add(req.session);
  };
}

/** True once for a generated session not yet created in the store; its later writes are updates. */
export function takeGeneratedMark(data: object): boolean {
  return generated.delete(data);
}

/** Puts the mark back when the creating write failed, so a retry creates it again. */
export function restoreGeneratedMark(data: object): void {
  generated.add(data);
}
