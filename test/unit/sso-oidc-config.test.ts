import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { redactDetail } from '../../src/sso/failure.js';

const provider = { id: 'staff', type: 'oidc', domains: ['Staff.Example'], issuer: 'https://idp.staff.example', clientId: 'claimgate', clientSecret: '${OIDC_SECRET}' };

function problemsOf(providers: unknown[]): string[] {
  try {
    parseConfig({ baseUrl: 'http://x.test', sso: { providers } }, 'test', { OIDC_SECRET: 's3cret' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('OIDC provider configuration', () => {
  it('reads the SPEC example with safe defaults', () => {
    const config = parseConfig({ baseUrl: 'http://x.test', sso: { providers: [provider] } }, 'test', { OIDC_SECRET: 's3cret' });
    expect(config.sso.providers[0]).toMatchObject({
      domains: ['staff.example'], clientSecret: 's3cret', scopes: ['openid', 'email', 'profile'], emailClaim: 'email', nameClaim: 'name',
      idTokenSigningAlgs: ['RS256', 'ES256', 'EdDSA'], requireVerifiedEmail: true, jitProvisioning: false, allowHttp: false, clockTolerance: 30_000,
    });
  });

  it('never accepts unsigned ID tokens: alg "none" is refused by key path', () => {
    expect(problemsOf([{ ...provider, idTokenSigningAlgs: ['RS256', 'none'] }])).toEqual([
      expect.stringMatching(/^sso\.providers\.0\.idTokenSigningAlgs\.1: unsigned ID tokens \("none"\) are never accepted/),
    ]);
    expect(problemsOf([{ ...provider, idTokenSigningAlgs: ['HS256'] }])).toEqual([expect.stringMatching(/^sso\.providers\.0\.idTokenSigningAlgs\.0:/)]);
  });

  it('refuses a plain-HTTP issuer unless allowHttp is set, scopes without openid, and unknown keys', () => {
    expect(problemsOf([{ ...provider, issuer: 'http://idp.staff.example' }])).toEqual([expect.stringMatching(/^sso\.providers\.0\.issuer: must be https/)]);
    expect(problemsOf([{ ...provider, issuer: 'http://localhost:8080/realms/demo', allowHttp: true }])).toEqual([]);
    expect(problemsOf([{ ...provider, scopes: ['email'] }])).toEqual([expect.stringMatching(/^sso\.providers\.0\.scopes: must include "openid"/)]);
    expect(problemsOf([{ ...provider, attributes: { shoeSize: 'shoe' } }])).toEqual([expect.stringMatching(/^sso\.providers\.0\.attributes/)]);
    expect(problemsOf([{ ...provider, clientSecrett: 'typo' }])).toEqual([expect.stringMatching(/^sso\.providers\.0\.clientSecrett: unknown key/)]);
  });

  it('claimgate config check exits 1 and names the OIDC key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claimgate-oidc-config-'));
    const file = join(dir, 'oidc.yaml');
    writeFileSync(file, 'baseUrl: http://x.test\nsso:\n  providers:\n    - { id: staff, type: oidc, issuer: "https://idp.example", clientId: c, idTokenSigningAlgs: [none] }\n');
    const run = spawnSync('node', ['bin/claimgate.js', 'config', 'check'], { env: { ...process.env, CLAIMGATE_CONFIG: file }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('sso.providers.0.idTokenSigningAlgs.0');
  });
});

describe('SSO failure details', () => {
  it('keeps tokens, query strings and long opaque values out of the audit row', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const detail = redactDetail(`bad token ${jwt} from https://idp.example/cb?code=secret-code&state=s and ${'A'.repeat(60)}\nforged line`);
    expect(detail).not.toContain('eyJ');
    expect(detail).not.toContain('secret-code');
    expect(detail).not.toContain('A'.repeat(40));
    expect(detail).not.toContain('\n');
    expect(detail).toContain('[token]');
  });
});
