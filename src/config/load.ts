import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { samlConfigProblems } from '../sso/saml/config-check.js';
import { resolveEnvReferences } from './env-references.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = 'config/claimgate.yaml';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CLAIMGATE_CONFIG || DEFAULT_CONFIG_PATH);
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const at = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : '(root)');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${at([...issue.path, key])}: unknown key`);
  return [`${at(issue.path)}: ${issue.message}`];
}

/** Files the configuration names must be readable now: a missing file is an error at start, never a silent fallback. */
function unreadableFiles(config: Config): string[] {
  const files: Array<[string, string | undefined]> = [['firstAccess.terms.file', config.firstAccess.terms.enabled ? config.firstAccess.terms.file : undefined]];
  config.gateway.jwt.keys.forEach((key, index) => files.push([`gateway.jwt.keys.${index}.privateKeyFile`, key.privateKeyFile]));
  config.sso.providers.forEach((provider, index) => {
    if (provider.type === 'saml') files.push([`sso.providers.${index}.idpMetadataFile`, provider.idpMetadataFile]);
  });
  const problems: string[] = [];
  for (const [key, file] of files) {
    if (!file) continue;
    try {
      accessSync(resolve(file), constants.R_OK);
    } catch {
      problems.push(`${key}: cannot read file "${file}"`);
    }
  }
  return problems;
}

/** Validates an already-parsed configuration object (after `${ENV}` substitution). */
export function parseConfig(raw: unknown, source = 'configuration', env: NodeJS.ProcessEnv = process.env): Config {
  // Without a `secret` key the secret comes from CLAIMGATE_SECRET, so a file shaped like the SPEC's example works.
  const withSecret = raw && typeof raw === 'object' && !('secret' in raw) ? { ...raw, secret: '${CLAIMGATE_SECRET}' } : raw ?? {};
  const result = configSchema.safeParse(resolveEnvReferences(withSecret, env));
  if (!result.success) throw new ConfigError(source, result.error.issues.flatMap(formatIssue));
  const problems = unreadableFiles(result.data);
  // Files that can be read must also parse: SAML metadata, certificates and keys.
  if (!problems.length) problems.push(...samlConfigProblems(result.data));
  if (problems.length) throw new ConfigError(source, problems);
  return result.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = configPath(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read the configuration file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length) {
    throw new ConfigError(file, document.errors.map((error) => `YAML: ${error.message.split('\n')[0]}`));
  }
  return parseConfig(document.toJS(), file, env);
}
