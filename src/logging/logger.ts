import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths that could ever carry a secret are censored even if a caller logs a whole object by mistake. A bare `code`
 * is the stable error code every error line carries (`err.code`, `AppError` codes): access codes are logged under
 * no name at all, and a request body (where a typed code travels as `code`) is censored as a whole.
 */
const REDACT = [
  'password', '*.password', 'token', '*.token', 'accessCode', '*.accessCode', 'body', '*.body', 'cookie', '*.cookie', '*.headers.cookie',
  '*.headers.authorization', 'authorization', 'passwordHash', '*.passwordHash', 'secret', '*.secret', 'claimUrl', '*.claimUrl',
];

/**
 * Database errors carry their query and parameters (hashes, session data): log only what explains the failure.
 * pino-http brings its own `err` serializer, so it must be given this one too.
 */
export function serializeError(error: { name?: string; message?: string; code?: string; stack?: string }) {
  return { type: error?.name, message: redactText(error?.message), code: error?.code, stack: redactText(error?.stack) };
}

/**
 * An error's own text may quote what the client sent: the router's "Failed to decode param '<value>'" quotes a
 * claim token, and a message may quote a URL. Cut both out, wherever they appear in the text.
 */
export function redactText(text: string | undefined): string | undefined {
  if (typeof text !== 'string') return text;
  return text
    .replace(/(decode param ')[^']*'/gi, "$1[redacted]'")
    // Claim tokens are long base64url: a stack's own file names (`src/claim/routes.ts`) stay readable.
    .replace(/(\/claim\/)[A-Za-z0-9_-]{20,}/g, '$1[redacted]')
    .replace(/([?&](?:token|code)=)[^&#'"\s]*/gi, '$1[redacted]');
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'claimgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
    },
    destination,
  );
}

/** Claim link tokens travel in the path: they must never reach a log line. */
export function redactUrl(url: string): string {
  return url
    .replace(/^(\/claim\/)(?!(?:flow|code)(?:[/?#]|$))[^/?#]+/i, '$1[redacted]')
    .replace(/([?&](?:token|code)=)[^&#]*/gi, '$1[redacted]')
    // The same inside a percent-encoded return path (`/login?returnTo=%2Fadmin%2F…%3Ftoken%3D…`).
    .replace(/((?:%3F|%26)(?:token|code)%3D)(?:(?!%26)[^&#])*/gi, '$1[redacted]')
    // A claim link's path inside a return path (the language switcher's `returnTo=%2Fclaim%2F<token>`).
    .replace(/(%2Fclaim%2F)(?!(?:flow|code)(?:%2F|%3F|[&#]|$))(?:(?!%2F|%3F)[^&#])+/gi, '$1[redacted]');
}
