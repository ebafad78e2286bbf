import type { Config } from '../config/schema.js';

/** The branding files and colour must work before start (filled in with branding). */
export function brandingConfigProblems(_config: Config): string[] {
  return [];
}
