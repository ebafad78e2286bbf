import { passwordProblems } from '../../src/auth/password-policy.js';
import { csvCell, csvRow } from '../../src/export/csv.js';
import { safeReturnPath } from '../../src/http/return-to.js';
import { redactUrl } from '../../src/logging/logger.js';

describe('CSV cells', () => {
  // Attack: formula injection when an admin opens the export in a spreadsheet.
  it.each(['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', '\u0000NUL'])('neutralises %j', (value) => {
    expect(csvCell(value).replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('quotes per RFC 4180', () => {
    expect(csvRow(['a,b', 'say "hi"', 'line\nbreak', null, 3])).toBe('"a,b","say ""hi""","line\nbreak",,3\r\n');
  });
});

describe('return paths', () => {
  it('keeps a path on this host', () => {
    expect(safeReturnPath('/app/page?x=1#top')).toBe('/app/page?x=1#top');
  });

  // Attack: open redirect after sign-in.
  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', '/%2F%2Fevil.example', '%2F%2Fevil.example', '/%5Cevil.example', 'javascript:alert(1)', '/\tevil', ''])(
    'refuses %j',
    (value) => {
      expect(safeReturnPath(value)).toBeUndefined();
    },
  );
});

describe('password policy', () => {
  const policy = { minLength: 12, maxLength: 64 };
  it('accepts a long passphrase', () => {
    expect(passwordProblems('correct horse battery staple', policy, ['ada@example.com'])).toEqual([]);
  });
  it.each([
    ['too short', 'short'],
    ['too long', 'x'.repeat(65) + 'yz'],
    ['common', 'password1234'],
    ['one repeated character', 'aaaaaaaaaaaaaaaa'],
    ['built from the email', 'lovelace-rules-2026'],
  ])('refuses a password that is %s', (_why, password) => {
    expect(passwordProblems(password, policy, ['ada.lovelace@example.com'])).toHaveLength(1);
  });
});

describe('log URL redaction', () => {
  // Attack: a claim token copied out of the request log.
  it('cuts claim tokens out of paths but keeps flow paths readable', () => {
    expect(redactUrl('/claim/0123456789abcdef0123456789abcdefAAAA?x=1')).toBe('/claim/[redacted]?x=1');
    expect(redactUrl('/claim/flow/terms')).toBe('/claim/flow/terms');
    // A download token inside a percent-encoded return path.
    expect(redactUrl('/login?returnTo=%2Fadmin%2Fexports%2Fe1%2Fdownload%3Ftoken%3DSECRET%26x%3D1')).toBe('/login?returnTo=%2Fadmin%2Fexports%2Fe1%2Fdownload%3Ftoken%3D[redacted]%26x%3D1');
    expect(redactUrl('/x?token=abc&code=ABCD')).toBe('/x?token=[redacted]&code=[redacted]');
  });
});
