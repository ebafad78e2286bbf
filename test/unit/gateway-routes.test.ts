import { ConfigError, parseConfig } from '../../src/config/load.js';
import type { Identity } from '../../src/gateway/identity.js';
import { canonicalPath } from '../../src/gateway/policy/canonical-path.js';
import { compileRoutes, refusalFor } from '../../src/gateway/policy/route-table.js';

const env = { CLAIMGATE_SECRET: 'x'.repeat(40) };
const config = (gateway: Record<string, unknown>, upstream: Record<string, unknown> = { url: 'http://main.test' }) =>
  parseConfig({ baseUrl: 'http://claimgate.test', upstream, gateway }, 'test', env);

function problems(gateway: Record<string, unknown>, upstream?: Record<string, unknown>): string[] {
  try {
    config(gateway, upstream);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const identity = (overrides: Partial<Identity> = {}): Identity => ({
  id: 'm1', email: 'Ann@Example.com', username: null, name: null, groups: [], chosenGroups: [], loginMethod: 'password', status: 'claimed', acceptedTermsVersion: null, owesNewPassword: false, ...overrides,
});

describe('canonical path', () => {
  // Attack: reaching a protected prefix by a spelling that the upstream reads as the same path but a plain comparison would not.
  it.each([
    ['/payroll', '/payroll'], ['/PayRoll/Q3', '/payroll/q3'], ['//payroll', '/payroll'], ['/a/../payroll', '/payroll'], ['/a/./../payroll/', '/payroll'],
    ['/%70ayroll', '/payroll'], ['/a%2F..%2Fpayroll', '/payroll'], ['/a%2f%2e%2e%2fpayroll', '/payroll'], ['/payroll;jsessionid=1/x', '/payroll/x'],
    ['/public/..;/payroll', '/payroll'], ['/a\\..\\payroll', '/payroll'], ['/../../payroll', '/payroll'], ['/%zz/payroll', '/%zz/payroll'], ['/', '/'],
  ])('%s reads as %s', (spelled, canonical) => {
    expect(canonicalPath(spelled)).toBe(canonical);
  });
});

describe('route table', () => {
  const table = compileRoutes(config({
    upstreams: { wiki: 'http://wiki.test', pay: 'http://pay.test' },
    routes: [
      { name: 'health', path: '/health', public: true, methods: ['GET', 'HEAD'] },
      { name: 'pay-ops', host: 'ops.example', path: '/payroll', upstream: 'pay', allow: { loginMethods: ['sso'] } },
      { name: 'payroll', path: '/payroll/', upstream: 'pay', allow: { groups: ['Payroll'], domains: ['hr.example'] }, deny: { emails: ['gone@example.com'] } },
      { name: 'wiki', path: '/wiki', upstream: 'wiki' },
      ...Array.from({ length: 200 }, (_, index) => ({ path: `/app${index}/x`, upstream: 'http://app.test' })),
    ],
  }));

  it('takes the first route that matches host, method and whole path segments, else the default', () => {
    expect(table.match('claimgate.test', '/health', 'GET').key).toBe('health');
    expect(table.match('claimgate.test', '/health', 'POST').key).toBe('default');
    expect(table.match('claimgate.test', '/healthz2', 'GET').key).toBe('default');
    expect(table.match('OPS.example:8443', '/payroll/x', 'GET').key).toBe('pay-ops');
    expect(table.match('claimgate.test', '/payroll', 'GET')).toMatchObject({ key: 'payroll', upstream: 'http://pay.test' });
    expect(table.match(undefined, '/wiki/page', 'GET')).toMatchObject({ key: 'wiki', upstream: 'http://wiki.test' });
    expect(table.match(undefined, '/app150/x/y', 'GET').key).toBe('routes[154]');
    expect(table.match(undefined, '/app150/y', 'GET')).toMatchObject({ key: 'default', upstream: 'http://main.test', closed: false });
  });

  // Attack: self-granted access (chosen groups) and a deny entry losing to an allow entry.
  it('admits by assigned group, email domain or login method; deny wins; chosen groups never count', () => {
    const payroll = table.match(undefined, '/payroll', 'GET');
    expect(refusalFor(payroll, identity({ groups: ['payroll'] }))).toBeUndefined();
    expect(refusalFor(payroll, identity({ email: 'x@HR.example' }))).toBeUndefined();
    expect(refusalFor(payroll, identity({ chosenGroups: ['Payroll'] }))).toBe('not_allowed');
    expect(refusalFor(payroll, identity({ email: 'gone@example.com', groups: ['Payroll'] }))).toBe('denied');
    expect(refusalFor(table.match('ops.example', '/payroll', 'GET'), identity({ loginMethod: 'sso' }))).toBeUndefined();
    expect(refusalFor(table.match(undefined, '/wiki', 'GET'), identity())).toBeUndefined();
  });

  it('closes unmatched paths with defaultRoute: deny', () => {
    const closed = compileRoutes(config({ routes: [{ path: '/open' }], defaultRoute: 'deny' }));
    expect(refusalFor(closed.match(undefined, '/other', 'GET'), identity({ groups: ['Admins'] }))).toBe('no_route');
    expect(refusalFor(closed.match(undefined, '/open/x', 'GET'), identity())).toBeUndefined();
  });
});

describe('config check of gateway.routes', () => {
  it('refuses repeated and unreachable routes, naming both by key path', () => {
    expect(problems({
      routes: [
        { path: '/app' }, { path: '/App/' }, { path: '/app/admin', allow: { groups: ['Admins'] } },
        { path: '/api', methods: ['GET'] }, { path: '/api', methods: ['GET', 'POST'] }, { host: 'a.example', path: '/b' }, { path: '/b' },
      ],
    })).toEqual([
      'gateway.routes.1: matches the same requests as gateway.routes[0] (routes[0]), which comes first: remove one',
      'gateway.routes.2: is unreachable: gateway.routes[0] (routes[0]) comes first and matches every request it would; put the narrower route first',
    ]);
  });

  it('refuses unknown upstreams, tricky path spellings, public routes with a policy and allow lists naming nobody', () => {
    expect(problems({
      upstreams: { wiki: 'http://wiki.test' },
      routes: [
        { name: 'a', path: '/a', upstream: 'nope' }, { name: 'a', path: '/b%2Fc' }, { path: '/c', public: true, allow: { groups: ['X'] } },
        { path: '/d', allow: {} }, { path: '/e/../f' }, { path: '/g', upstream: 'ftp://x' },
      ],
    })).toEqual([
      'gateway.routes.0.upstream: "nope" is not in gateway.upstreams',
      'gateway.routes.1.name: "a" also names gateway.routes[0]',
      'gateway.routes.1.path: write the path plainly: no escapes, ";", backslashes, "?", "#", repeated slashes or dot segments',
      'gateway.routes.2.public: a public route admits everyone: remove allow and deny, or public',
      'gateway.routes.3.allow: names nobody: list groups, emails, domains or loginMethods, or leave allow out to admit every member',
      'gateway.routes.4.path: write the path plainly: no escapes, ";", backslashes, "?", "#", repeated slashes or dot segments',
      'gateway.routes.5.upstream: must be an http:// or https:// URL, or a name from gateway.upstreams',
    ]);
    // Forward auth only: routes need no upstream.
    expect(problems({ routes: [{ path: '/x', allow: { groups: ['X'] } }] }, {})).toEqual([]);
  });
});
