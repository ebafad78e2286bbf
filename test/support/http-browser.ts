/**
 * A browser reduced to what the claim pages need: one cookie jar that follows the member from one replica to
 * another (cookies are per host, not per port), forms posted as application/x-www-form-urlencoded, no redirects
 * followed.
 */
export class HttpBrowser {
  private readonly cookies = new Map<string, string>();

  /** `defaults`: headers sent with every request (e.g. the X-Forwarded-Proto a TLS proxy would add). */
  constructor(private readonly defaults: Record<string, string> = {}) {}

  async request(base: string, path: string, options: { method?: string; form?: Record<string, string | string[]>; headers?: Record<string, string> } = {}) {
    // A connection per request: a kept-alive one can be closed by the server's keep-alive timer just as a request
    // goes out on it, which a loaded machine makes likely (a POST then fails with a socket error, not an answer).
    const headers: Record<string, string> = { Accept: 'text/html', Connection: 'close', ...this.defaults, ...options.headers };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (options.form) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(options.form)) for (const one of [value].flat()) params.append(name, one);
      body = params.toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(`${base}${path}`, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location') ?? '', text: await res.text(), headers: res.headers };
  }

  /** GETs a form page and posts it with its CSRF token and `fields`; returns the answer to the POST. */
  async submit(base: string, path: string, fields: Record<string, string | string[]>, pagePath = path) {
    const page = await this.request(base, pagePath);
    if (page.status !== 200) throw new Error(`GET ${pagePath}: ${page.status}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`GET ${pagePath}: no CSRF token`);
    return this.request(base, path, { form: { _csrf: token, ...fields } });
  }

  forget(): void {
    this.cookies.clear();
  }

  /** The Cookie header this browser sends now. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Walks a whole link claim, each request on the next replica in turn; returns the final redirect's answer. */
export async function claimAcross(browser: HttpBrowser, replicas: string[], claimPath: string, password: string) {
  let turn = 0;
  const next = () => replicas[turn++ % replicas.length]!;
  const expectRedirect = <T extends { status: number; text: string }>(res: T, what: string): T => {
    if (res.status !== 303) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
    return res;
  };
  const first = next();
  expectRedirect(await browser.submit(first, claimPath, {}), 'start');
  expectRedirect(await browser.submit(next(), '/claim/flow/terms', { accept: 'yes' }), 'terms');
  expectRedirect(await browser.submit(next(), '/claim/flow/profile', { name: 'Load Member' }), 'profile');
  expectRedirect(await browser.submit(next(), '/claim/flow/password', { password, confirm: password }), 'password');
  const groupsAt = next();
  const page = await browser.request(groupsAt, '/claim/flow/groups');
  const ids = [...page.text.matchAll(/name="groups" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]!);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return expectRedirect(await browser.request(next(), '/claim/flow/groups', { form: { _csrf: token, groups: ids.slice(0, 1) } }), 'groups');
}
