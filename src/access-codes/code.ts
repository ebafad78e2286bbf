import { createHmac, timingSafeEqual } from 'node:crypto';

/** Letters only, without the ones people confuse when reading or typing a printed code: I, L, O and U. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 16;

/**
 * The code of an access-code row is derived from its id with a server key, so an export can print it again
 * while the database holds only a keyed hash of it: a copy of the database reveals no code.
 * 16 letters of 22 give about 71 bits.
 */
export function deriveCode(key: Buffer, codeId: string): string {
  const digest = createHmac('sha256', key).update(`access-code:${codeId}`).digest();
  let value = BigInt(`0x${digest.toString('hex')}`);
  const base = BigInt(CODE_ALPHABET.length);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) {
    code += CODE_ALPHABET[Number(value % base)];
    value /= base;
  }
  return code;
}

/** `ABCDEFGHJKMNPQRS` → `ABCD-EFGH-JKMN-PQRS`, the way codes are printed. */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** Accepts any letter case, with or without dashes and spaces; anything else is not a code. */
export function normalizeCode(input: string): string | undefined {
  const compact = input.replace(/[\s-]/g, '').toUpperCase();
  if (compact.length !== CODE_LENGTH) return undefined;
  for (const char of compact) if (!CODE_ALPHABET.includes(char)) return undefined;
  return compact;
}

/** What the database stores and looks codes up by. */
export function codeHash(key: Buffer, normalizedCode: string): string {
  return createHmac('sha256', key).update(`access-code-hash:${normalizedCode}`).digest('hex');
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
