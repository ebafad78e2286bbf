import { randomBytes, randomUUID } from 'node:crypto';
import { CODE_ALPHABET, codeHash, deriveCode, formatCode, normalizeCode } from '../../src/access-codes/code.js';

describe('access codes', () => {
  const key = randomBytes(32);

  it('are 16 letters from an alphabet without I, L, O or U, printed in groups of four', () => {
    const code = deriveCode(key, randomUUID());
    expect(code).toMatch(/^[A-Z]{16}$/);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
    for (const char of code) expect(CODE_ALPHABET).toContain(char);
    expect(formatCode(code)).toMatch(/^[A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4}$/);
  });

  it('are rebuilt identically from the same id and key, and differ across ids', () => {
    const id = randomUUID();
    expect(deriveCode(key, id)).toBe(deriveCode(key, id));
    const codes = new Set(Array.from({ length: 2000 }, () => deriveCode(key, randomUUID())));
    expect(codes.size).toBe(2000);
  });

  // Attack: guessing codes made from a skewed alphabet (a modulo bias of a few percent) takes fewer tries than 71 bits.
  it('use every letter of the alphabet about equally', () => {
    // Fixed key and ids: the same 32,000 letters on every run, so the check cannot flake.
    const fixedKey = Buffer.alloc(32, 7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const char of deriveCode(fixedKey, `code-${i}`)) counts.set(char, (counts.get(char) ?? 0) + 1);
    const expected = (2000 * 16) / CODE_ALPHABET.length;
    const chiSquare = [...CODE_ALPHABET].reduce((sum, char) => sum + ((counts.get(char) ?? 0) - expected) ** 2 / expected, 0);
    // 21 degrees of freedom: above 46.8 a uniform source is rejected at p = 0.001; a 5% bias on some letters scores ~100.
    expect(chiSquare).toBeLessThan(46.8);
  });

  it('accept any case, dashes and spaces when typed', () => {
    const code = deriveCode(key, randomUUID());
    const typed = ` ${formatCode(code).toLowerCase().replace(/-/g, ' - ')} `;
    expect(normalizeCode(typed)).toBe(code);
    expect(normalizeCode(formatCode(code))).toBe(code);
  });

  it('refuse wrong lengths and letters outside the alphabet', () => {
    const code = deriveCode(key, randomUUID());
    expect(normalizeCode(code.slice(1))).toBeUndefined();
    expect(normalizeCode(`${code}A`)).toBeUndefined();
    expect(normalizeCode(`I${code.slice(1)}`)).toBeUndefined();
    expect(normalizeCode(`1${code.slice(1)}`)).toBeUndefined();
  });

  // Attack: someone with a copy of the database tries to read or rebuild codes.
  it('are stored as a keyed hash that neither reveals the code nor matches without the key', () => {
    const code = deriveCode(key, randomUUID());
    const stored = codeHash(key, code);
    expect(stored).not.toContain(code);
    expect(codeHash(randomBytes(32), code)).not.toBe(stored);
    expect(deriveCode(randomBytes(32), 'same-id')).not.toBe(deriveCode(key, 'same-id'));
  });
});
