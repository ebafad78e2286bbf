import { userinfoProblem } from '../webhooks/target-rules.js';
import { z } from 'zod';

/**
 * Only http(s): a webhook must never reach a file, a socket path or another scheme a fetch might follow. Never with
 * `user:pass@`: the URL is shown to read-only callers and written to the audit trail.
 */
export const webhookUrl = z.string().trim().max(2000).pipe(z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }))
  .refine((value) => !URL.canParse(value) || !userinfoProblem(new URL(value)), 'must not carry a user name or password (user:pass@)');

/** A Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes. */
export const webhookSecret = z.string().trim().refine((value) => {
  const match = /^whsec_([A-Za-z0-9+/=]+)$/.exec(value);
  if (!match) return false;
  const bytes = Buffer.from(match[1]!, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}, 'must be whsec_ followed by base64 of 24 to 64 random bytes');
