import { canonicalPath } from './canonical-path.js';
import type { RouteConfig, RouteMembers } from './route-config.js';

export interface RouteIssue {
  path: Array<string | number>;
  message: string;
}

/** The route's path prefix as compared: canonical, without a trailing slash (except the root). */
export function routePrefix(route: Pick<RouteConfig, 'path'>): string {
  const prefix = canonicalPath(route.path);
  return prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** Whether every request `later` matches is matched by `earlier` (so `later` can never be reached). */
function covers(earlier: RouteConfig, later: RouteConfig): boolean {
  if (earlier.host !== undefined && earlier.host !== later.host) return false;
  if (earlier.methods && (!later.methods || later.methods.some((method) => !earlier.methods!.includes(method)))) return false;
  const a = routePrefix(earlier);
  const b = routePrefix(later);
  return a === '/' || a === b || b.startsWith(`${a}/`);
}

function namesNobody(members: RouteMembers): boolean {
  return !members.groups.length && !members.emails.length && !members.domains.length && !members.loginMethods.length;
}

export const routeKey = (route: RouteConfig, index: number): string => route.name ?? `routes[${index}]`;

/**
 * What `config check` and the start refuse in gateway.routes, each named by its key path: a route that another one
 * before it makes unreachable (or that repeats it), a path written in a spelling that matching would change, an
 * upstream that does not exist, a public route with a policy, an allow list that names nobody.
 */
export function checkRoutes(routes: RouteConfig[], upstreams: Record<string, string>): RouteIssue[] {
  const issues: RouteIssue[] = [];
  const at = (index: number, ...key: string[]) => ['gateway', 'routes', index, ...key];
  const names = new Map<string, number>();
  routes.forEach((route, index) => {
    if (route.name !== undefined) {
      if (names.has(route.name)) issues.push({ path: at(index, 'name'), message: `"${route.name}" also names gateway.routes[${names.get(route.name)}]` });
      else names.set(route.name, index);
    }
    if (/[%;\\?#]|\/\/|\/\.\.?(?:\/|$)/.test(route.path)) {
      issues.push({ path: at(index, 'path'), message: 'write the path plainly: no escapes, ";", backslashes, "?", "#", repeated slashes or dot segments' });
    }
    if (route.public && (route.allow || route.deny)) issues.push({ path: at(index, 'public'), message: 'a public route admits everyone: remove allow and deny, or public' });
    if (route.allow && namesNobody(route.allow)) issues.push({ path: at(index, 'allow'), message: 'names nobody: list groups, emails, domains or loginMethods, or leave allow out to admit every member' });
    // A route without an upstream goes to upstream.url, or serves forward auth only (the web server proxies itself).
    if (route.upstream === undefined) {
      /* nothing to resolve */
    } else if (route.upstream.includes('://')) {
      if (!/^https?:\/\/[^/]/.test(route.upstream) || !URL.canParse(route.upstream)) issues.push({ path: at(index, 'upstream'), message: 'must be an http:// or https:// URL, or a name from gateway.upstreams' });
    } else if (!Object.hasOwn(upstreams, route.upstream)) {
      issues.push({ path: at(index, 'upstream'), message: `"${route.upstream}" is not in gateway.upstreams` });
    }
    for (let earlier = 0; earlier < index; earlier++) {
      const before = routes[earlier]!;
      if (!covers(before, route)) continue;
      const identical = covers(route, before);
      issues.push({
        path: at(index),
        message: identical
          ? `matches the same requests as gateway.routes[${earlier}] (${routeKey(before, earlier)}), which comes first: remove one`
          : `is unreachable: gateway.routes[${earlier}] (${routeKey(before, earlier)}) comes first and matches every request it would; put the narrower route first`,
      });
      break;
    }
  });
  return issues;
}
