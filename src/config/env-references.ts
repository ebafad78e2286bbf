const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces every `${NAME}` in string values with the environment variable NAME.
 * An unset variable reads as empty, so `url: ${DATABASE_URL}` means "embedded" when it is not set.
 */
export function resolveEnvReferences(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return value.replace(REFERENCE, (_, name: string) => env[name] ?? '');
  if (Array.isArray(value)) return value.map((item) => resolveEnvReferences(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveEnvReferences(item, env)]));
  }
  return value;
}
