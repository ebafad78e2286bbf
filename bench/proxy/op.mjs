// An OpenID Provider for Apache + mod_auth_openidc in the benchmark (node-oidc-provider with its development
// sign-in pages, as in test/support/oidc-op.ts), and a browser walk through it that ends with the relying party's
// session cookie.
import { createServer, request } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export async function startOp(redirectUris) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'bench-op', alg: 'RS256', use: 'sig' };
  const clientId = 'bench-apache';
  const clientSecret = 'a-client-secret-that-is-long-enough-0123456789';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [jwk] },
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['bench-op-cookie-key-0123456789'] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: id, email_verified: true, name: 'Bench Member' }) }),
  });
  server.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Opens `protectedUrl`, signs in at the provider, and returns the Cookie header the relying party then accepts. */
export async function signInAtOp(op, protectedUrl) {
  // Cookies are per host, not per port: one jar serves the provider and the relying party, both on 127.0.0.1.
  const jar = new Map();
  // node:http rather than fetch: fetch marks every request Sec-Fetch-Mode: cors, and mod_auth_openidc answers such
  // requests 401 instead of sending them to sign in.
  const go = (url, init = {}) => new Promise((resolve, reject) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const body = init.body ? String(init.body) : undefined;
    const headers = { accept: 'text/html', ...init.headers, ...(cookie ? { cookie } : {}), ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) };
    const req = request(url, { method: init.method ?? 'GET', headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const setCookies = [res.headers['set-cookie'] ?? []].flat();
        for (const line of setCookies) {
          const [pair] = line.split(';');
          const at = pair.indexOf('=');
          const name = pair.slice(0, at).trim();
          const value = pair.slice(at + 1).trim();
          if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
          else jar.set(name, value);
        }
        resolve({ status: res.statusCode, headers: { get: (name) => res.headers[name] ?? null }, text: async () => text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
  let url = protectedUrl;
  for (let hop = 0; hop < 20; hop++) {
    const response = await go(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location'), url).href;
      continue;
    }
    if (!url.startsWith(op.issuer)) {
      if (response.status !== 200) throw new Error(`relying party answered ${response.status} at ${url}: ${(await response.text()).slice(0, 300)}`);
      const session = [...jar].filter(([name]) => name.startsWith('mod_auth_openidc_session'));
      if (!session.length) throw new Error('no mod_auth_openidc session cookie after sign-in');
      return session.map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action) throw new Error(`provider answered ${response.status}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    const body = new URLSearchParams(prompt === 'login' ? { prompt, login: 'bench@example.com', password: 'any password' } : { prompt: prompt ?? 'consent' });
    const posted = await go(new URL(action, url).href, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    if (posted.status < 300 || posted.status >= 400) throw new Error(`provider refused the ${prompt} form: ${posted.status}`);
    url = new URL(posted.headers.get('location'), url).href;
  }
  throw new Error('too many redirects during sign-in');
}
