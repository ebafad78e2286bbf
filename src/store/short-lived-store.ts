import type { Namespace } from './namespaces.js';

/** A counter's value and how long until it starts again from zero. */
export interface Counter {
  count: number;
  msLeft: number;
}

/**
 * State that lives minutes or hours and is shared by every replica: in Redis when configured, otherwise in the
 * database. Every key lives in a namespace; nothing outside src/store/ knows how keys are spelled.
 */
export interface ShortLivedStore {
  get(namespace: Namespace, id: string): Promise<string | null>;
  set(namespace: Namespace, id: string, value: string, ttlMs: number): Promise<void>;
  /** Writes only when the key is absent (or expired); true when this call wrote it. */
  setIfAbsent(namespace: Namespace, id: string, value: string, ttlMs: number): Promise<boolean>;
  /** Reads and deletes at once: of two concurrent takes of one key, one gets the value and the other null. */
  take(namespace: Namespace, id: string): Promise<string | null>;
  /** Replaces the value only while the key still exists, keeping its expiry: never brings a deleted key back. */
  touchIfPresent(namespace: Namespace, id: string, value: string): Promise<boolean>;
  delete(namespace: Namespace, id: string): Promise<void>;
  /**
   * Adds `by` (negative to give back) to a counter and answers its new value. A counter that does not exist or has
   * expired starts from zero with `ttlMs` to live; `restart` starts it again at `by` with `ttlMs` whatever it was.
   */
  increment(namespace: Namespace, id: string, by: number, ttlMs: number, options?: { restart?: boolean }): Promise<Counter>;
  /** A counter's current value, or null when it does not exist or has expired. */
  counter(namespace: Namespace, id: string): Promise<Counter | null>;
  /** Adds `member` to the set `id`; the entry lives at least `ttlMs` (a set is small: one entry per session). */
  addToSet(namespace: Namespace, id: string, member: string, ttlMs: number): Promise<void>;
  /** The live members of a set, in no particular order; an empty list when it does not exist. */
  setMembers(namespace: Namespace, id: string): Promise<string[]>;
  removeFromSet(namespace: Namespace, id: string, members: string[]): Promise<void>;
}
