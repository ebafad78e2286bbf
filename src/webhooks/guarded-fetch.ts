import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { guardedLookup, literalTargetProblem, PRIVATE_TARGET } from './target-rules.js';

let guardedAgent: Agent | undefined;

/** One pool for every delivery, whose sockets check the address they connect to. */
function agent(): Agent {
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup() } });
  return guardedAgent;
}

/** Thrown before anything is sent: the target is not a public address. */
export class TargetRefused extends Error {
  readonly code = PRIVATE_TARGET;
}

/**
 * A webhook request: unless private targets are allowed, a literal address is checked here and a name at connect
 * time, so nothing leaves for loopback, link-local, private or metadata addresses. Redirects are never followed
 * (`redirect: 'manual'` by the caller), so a public receiver cannot bounce the request inwards either.
 */
export async function webhookFetch(url: string, init: RequestInit, allowPrivateTargets: boolean): Promise<Response> {
  if (allowPrivateTargets) return fetch(url, init);
  const problem = literalTargetProblem(new URL(url));
  if (problem) throw new TargetRefused(problem);
  return fetch(url, { ...init, dispatcher: agent() });
}

/** The refusal behind a failed webhook request, if it was one: the thrown error or the connection error it wraps. */
export function refusalOf(error: unknown): string | null {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === PRIVATE_TARGET) return current.message;
  }
  return null;
}
