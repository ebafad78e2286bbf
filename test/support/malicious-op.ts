import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';

export interface CraftedToken {
  /** Claims that replace or add to a well-formed ID token's. */
  claims?: JWTPayload;
  /** 'none' sends an unsigned token; 'attacker-key' signs with a key the JWKS does not hold, under the published kid. */
  signing?: 'good' | 'none' | 'attacker-key';
}

export interface MaliciousOp {
  issuer: string;
  /** What the next token request answers; `nonce` and `clientId` fill the well-formed defaults. */
  next: CraftedToken & { nonce?: string; clientId?: string; sub?: string; email?: string };
  close(): Promise<void>;
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A real HTTP peer that speaks just enough OpenID Connect (discovery, JWKS, token endpoint) to hand claimgate
 * ID tokens crafted by the test. `/mixup` serves a discovery document that names the main issuer instead of its own.
 */
export async function startMaliciousOp(): Promise<MaliciousOp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const good = await generateKeyPair('RS256', { extractable: true });
  const attacker = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(good.publicKey)), kid: 'mal-1', alg: 'RS256', use: 'sig' };
  const op: MaliciousOp = { issuer, next: {}, close: async () => undefined };

  const discovery = (self: string) => ({
    issuer: self, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
  });

  async function idToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const { nonce, clientId = 'claimgate', sub = 'mal-subject', email = 'victim@evil.example', claims = {}, signing = 'good' } = op.next;
    const payload: JWTPayload = { iss: issuer, sub, aud: clientId, iat: now, exp: now + 300, nonce, email, email_verified: true, ...claims };
    if (signing === 'none') return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    const key: CryptoKey = signing === 'attacker-key' ? attacker.privateKey : good.privateKey;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'mal-1' }).sign(key);
  }

  server.on('request', (req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const json = (body: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    if (path === '/.well-known/openid-configuration') return json(discovery(issuer));
    if (path === '/mixup/.well-known/openid-configuration') return json(discovery(issuer));
    if (path === '/jwks') return json({ keys: [publicJwk] });
    if (path === '/token' && req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        void idToken().then((id_token) => json({ access_token: 'opaque-access-token', token_type: 'Bearer', expires_in: 300, id_token }));
      });
      return;
    }
    json({ error: 'not_found' }, 404);
  });
  op.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return op;
}
