import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { brandingConfigProblems } from '../branding/config-check.js';
import { i18nConfigProblems } from '../i18n/config-check.js';
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
  const { terms } = config.firstAccess;
  const files: Array<[string, string | undefined]> = [['firstAccess.terms.file', terms.enabled ? terms.file : undefined]];
  for (const [locale, file] of Object.entries(terms.files)) files.push([`firstAccess.terms.files.${locale}`, terms.enabled ? file : undefined]);
  files.push(['branding.logo', config.branding.logo], ['branding.css', config.branding.css]);
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

export interface ParseOptions {
  /** The base URL a running server recorded (`<dataDir>/server.json`), used when neither the file nor the environment sets one. */
  recordedBaseUrl?: (dataDir: string) => string | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/**
 * `CLAIMGATE_BASE_URL` wins over the file. In the embedded mode an unset baseUrl follows `PORT`, so changing the
 * port is one setting; with PostgreSQL (many replicas behind a proxy) it must be written down.
 */
function withBaseUrl(config: Record<string, unknown>, env: NodeJS.ProcessEnv, options: ParseOptions): Record<string, unknown> {
  const fromEnv = env.CLAIMGATE_BASE_URL?.trim();
  if (fromEnv) return { ...config, baseUrl: fromEnv };
  const written = config.baseUrl;
  if (written !== undefined && written !== '') return config;
  const database = isObject(config.database) ? config.database.url : undefined;
  if (typeof database === 'string' && database.trim() !== '') return config;
  const dataDir = typeof config.dataDir === 'string' ? config.dataDir : 'data';
  const recorded = env.PORT ? undefined : options.recordedBaseUrl?.(dataDir);
  return { ...config, baseUrl: recorded ?? `http://localhost:${env.PORT?.trim() || 3000}` };
}

const pathKey = (path: PropertyKey[]) => path.map(String).join('.');

/** Removes the value at `path` (an unknown or invalid key), so a second pass can check everything else. */
function without(value: unknown, path: PropertyKey[]): unknown {
  if (!path.length || !isObject(value) && !Array.isArray(value)) return value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const index = Number(head);
    if (!(index in value)) return value;
    return value.map((item, at) => (at === index ? without(item, rest) : item));
  }
  if (!(String(head) in value)) return value;
  if (!rest.length) {
    const { [String(head)]: _dropped, ...others } = value;
    return others;
  }
  return { ...value, [String(head)]: without(value[String(head)], rest) };
}

const issuePaths = (issue: z.core.$ZodIssue): PropertyKey[][] =>
  issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];

/**
 * Every problem in one run: field errors, then (with the faulty fields set aside) the cross-field rules and the files
 * they name. A rule about a field already reported is not repeated.
 */
function configProblems(input: unknown): { config?: Config; problems: string[] } {
  const problems: string[] = [];
  const reported: string[] = [];
  let candidate = input;
  for (let round = 0; round < 5; round += 1) {
    const result = configSchema.safeParse(candidate);
    if (result.success) {
      const files = unreadableFiles(result.data);
      // Files that can be read must also parse: SAML metadata, certificates and keys.
      if (!files.length) files.push(...samlConfigProblems(result.data));
      problems.push(...files, ...i18nConfigProblems(result.data), ...brandingConfigProblems(result.data));
      return { config: problems.length ? undefined : result.data, problems };
    }
    const fresh = result.error.issues.filter((issue) => {
      const key = pathKey(issue.path);
      return !reported.some((done) => key === done || key.startsWith(`${done}.`) || done.startsWith(`${key}.`));
    });
    problems.push(...fresh.flatMap(formatIssue));
    const paths = result.error.issues.flatMap(issuePaths);
    reported.push(...paths.map(pathKey));
    const next = paths.reduce<unknown>((value, path) => (path.length ? without(value, path) : value), candidate);
    if (JSON.stringify(next) === JSON.stringify(candidate)) break;
    candidate = next;
  }
  return { problems };
}

/** Validates an already-parsed configuration object (after `${ENV}` substitution). */
export function parseConfig(raw: unknown, source = 'configuration', env: NodeJS.ProcessEnv = process.env, options: ParseOptions = {}): Config {
  // Without a `secret` key the secret comes from CLAIMGATE_SECRET, so a file shaped like the SPEC's example works.
  const withSecret = isObject(raw) && !('secret' in raw) ? { ...raw, secret: '${CLAIMGATE_SECRET}' } : raw ?? {};
  const resolved = resolveEnvReferences(withSecret, env);
  const { config, problems } = configProblems(isObject(resolved) ? withBaseUrl(resolved, env, options) : resolved);
  if (!config) throw new ConfigError(source, problems);
  return config;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: ParseOptions = {}): Config {
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
  return parseConfig(document.toJS(), file, env, options);
}
