import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { newKeyPair, SamlIdp, type KeyPair } from '../support/saml-idp.js';

let folder: string;
let keys: KeyPair;
let metadata: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'claimgate-saml-config-'));
  keys = await newKeyPair('config-idp');
  const idp = await SamlIdp.start({ acsUrl: 'http://x.test/sso/saml/corp/acs', entityId: 'http://x.test/sso/saml/corp/metadata' }, keys);
  metadata = idp.metadata();
  await idp.close();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

function problemsOf(provider: Record<string, unknown>): string[] {
  try {
    parseConfig({ baseUrl: 'http://x.test', sso: { providers: [{ id: 'corp', type: 'saml', ...provider }] } }, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('SAML provider configuration', () => {
  it('accepts IdP metadata from a file, and entryPoint with a PEM certificate given inline or as a file', () => {
    expect(problemsOf({ idpMetadataFile: file('ok.xml', metadata) })).toEqual([]);
    expect(problemsOf({ entryPoint: 'https://idp.example/sso', idpCert: keys.cert, idpIssuer: 'https://idp.example/' })).toEqual([]);
    expect(problemsOf({ entryPoint: 'https://idp.example/sso', idpCert: file('idp.pem', keys.cert), idpIssuer: 'https://idp.example/' })).toEqual([]);
  });

  it('applies a small default clock skew, the whole-site RelayState allowlist and no JIT provisioning', () => {
    const config = parseConfig({ baseUrl: 'http://x.test', sso: { providers: [{ id: 'corp', type: 'saml', idpMetadataFile: file('defaults.xml', metadata) }] } }, 'test', {});
    expect(config.sso.providers[0]).toMatchObject({ clockSkew: 60_000, relayStateAllowlist: ['/'], jitProvisioning: false });
  });

  // Never a silent fallback: a file the provider names must be read and parsed now.
  it.each([
    ['a missing metadata file', () => ({ idpMetadataFile: join(folder, 'absent.xml') }), /idpMetadataFile: cannot read file/],
    ['metadata that is not XML', () => ({ idpMetadataFile: file('broken.xml', '<EntityDescriptor') }), /idpMetadataFile: not readable XML metadata/],
    ['metadata with a DOCTYPE', () => ({ idpMetadataFile: file('doctype.xml', `<!DOCTYPE x [<!ENTITY e "e">]>${metadata}`) }), /document type declarations are not allowed/],
    ['metadata without a signing certificate', () => ({ idpMetadataFile: file('nocert.xml', metadata.replace(/<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/, '')) }), /no signing certificate/],
    ['metadata with a corrupt certificate', () => ({ idpMetadataFile: file('badcert.xml', metadata.replace(/<ds:X509Certificate>[^<]{20}/, '<ds:X509Certificate>AAAAAAAAAAAAAAAAAAAA')) }), /not a readable X\.509 certificate/],
    ['metadata without an HTTP-Redirect SSO service', () => ({ idpMetadataFile: file('noredirect.xml', metadata.replace(/<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"[^>]*\/>/, '')) }), /HTTP-Redirect/],
    ['an idpCert file that does not exist', () => ({ entryPoint: 'https://idp.example/sso', idpCert: join(folder, 'absent.pem'), idpIssuer: 'https://idp.example/' }), /idpCert: cannot read certificate file/],
    ['an idpCert that is not a certificate', () => ({ entryPoint: 'https://idp.example/sso', idpCert: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----', idpIssuer: 'https://idp.example/' }), /idpCert: not a readable X\.509 certificate/],
    ['an SP signing key file that is not a key', () => ({ idpMetadataFile: file('sp.xml', metadata), spSigningKeyFile: file('notakey.pem', keys.cert), spSigningCertFile: file('sp.pem', keys.cert) }), /spSigningKeyFile: .* is not a PEM private key/],
  ])('refuses %s, naming the key', (_name, provider, message) => {
    const problems = problemsOf(provider());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^sso\.providers\.0\./);
    expect(problems[0]).toMatch(message);
  });

  it('requires exactly one way to find the IdP, and an issuer with entryPoint', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^sso\.providers\.0\.idpMetadataFile: set exactly one of/)]);
    expect(problemsOf({ entryPoint: 'https://idp.example/sso', idpMetadataUrl: 'https://idp.example/metadata', idpCert: keys.cert, idpIssuer: 'x' }))
      .toEqual([expect.stringMatching(/set exactly one of/)]);
    expect(problemsOf({ entryPoint: 'https://idp.example/sso', idpCert: keys.cert })).toEqual(['sso.providers.0.idpIssuer: required with entryPoint']);
  });

  it('refuses an off-site RelayState prefix and an oversized clock skew', () => {
    const problems = problemsOf({ idpMetadataFile: file('x.xml', metadata), relayStateAllowlist: ['//evil.example'], clockSkew: '1h' });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^sso\.providers\.0\.relayStateAllowlist\.0: must be a relative path/),
      expect.stringMatching(/^sso\.providers\.0\.clockSkew: must be at most 10m/),
    ]));
  });

  it('makes `claimgate config check` fail with the key of an unreadable metadata file', () => {
    const config = file('claimgate.yaml', [
      'baseUrl: http://x.test',
      'sso:',
      '  providers:',
      '    - id: corp',
      '      type: saml',
      `      idpMetadataFile: ${file('garbage.xml', 'not xml at all')}`,
    ].join('\n'));
    const run = spawnSync('node', ['bin/claimgate.js', 'config', 'check'], { env: { ...process.env, CLAIMGATE_CONFIG: config }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('sso.providers.0.idpMetadataFile: not readable XML metadata');
  });
});
