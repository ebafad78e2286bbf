import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const OP_CLIENT_ID = 'claimgate';
export const OP_CLIENT_SECRET = 'a-client-secret-that-is-long-enough-0123456789';

/** The claims of an account at the test provider; its `sub` is always the login typed at the sign-in page. */
export interface OpAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
  job_title?: string;
  groups?: string[];
}

export interface TestOp {
  issuer: string;
  /** Accounts by the login typed at the provider's own sign-in page; unknown logins get a verified email equal to the login. */
  accounts: Map<string, OpAccount>;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (node-oidc-provider) on port 0, with its own development sign-in and consent pages.
 * `redirectUris` are claimgate's callback URLs for the providers configured against it.
 */
export async function startTestOp(redirectUris: string[], postLogoutRedirectUris: string[]): Promise<TestOp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'op-key-1', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, OpAccount>();
  const provider = new Provider(issuer, {
    clients: [{
      client_id: OP_CLIENT_ID, client_secret: OP_CLIENT_SECRET, redirect_uris: redirectUris, post_logout_redirect_uris: postLogoutRedirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    // Claims go into the ID token itself: claimgate trusts only what that signed token says.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'job_title', 'groups'] },
    cookies: { keys: ['op-cookie-key-0123456789'] },
    pkce: { required: () => true },
    ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Session: 3600, Grant: 3600 },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id) ?? { email: id, email_verified: true, name: `Person ${id}` };
      return { accountId: id, claims: () => ({ ...account, sub: id }) };
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    accounts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A cookie jar for one host: enough to carry the provider's interaction cookies between requests. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface OpBrowser {
  /**
   * Follows the authorization request through the provider's login and consent pages as a person would, typing
   * `login` at its sign-in form, and returns the URL the provider finally sends the browser to (claimgate's callback).
   */
  signIn(authorizationUrl: string, login: string): Promise<URL>;
}

export function opBrowser(op: TestOp): OpBrowser {
  const jar = new Jar();
  async function go(url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(response);
    return response;
  }
  return {
    async signIn(authorizationUrl, login) {
      let url = authorizationUrl;
      for (let hop = 0; hop < 12; hop++) {
        if (!url.startsWith(op.issuer)) return new URL(url);
        const response = await go(url);
        if (response.status >= 300 && response.status < 400) {
          url = new URL(response.headers.get('location')!, url).href;
          continue;
        }
        const html = await response.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        if (response.status !== 200 || !action) throw new Error(`provider answered ${response.status}: ${html.slice(0, 300)}`);
        const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
        const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt: prompt ?? 'consent' });
        const posted = await go(new URL(action, url).href, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        if (posted.status < 300 || posted.status >= 400) throw new Error(`provider refused the ${prompt} form: ${posted.status} ${(await posted.text()).slice(0, 300)}`);
        url = new URL(posted.headers.get('location')!, url).href;
      }
      throw new Error('too many redirects at the provider');
    },
  };
}
