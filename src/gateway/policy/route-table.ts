import type { Config } from '../../config/schema.js';
import type { Identity } from '../identity.js';
import { canonicalPath } from './canonical-path.js';
import { routeKey, routePrefix } from './route-checks.js';
import type { RouteMembers } from './route-config.js';

/** Why a route turned a signed-in member away: stable words for audit rows and metrics. */
export type RefusalReason = 'not_allowed' | 'denied' | 'no_route';

interface MemberSet {
  groups: Set<string>;
  emails: Set<string>;
  domains: Set<string>;
  loginMethods: Set<string>;
}

export interface CompiledRoute {
  /** `name`, or `routes[<index>]`: bounded, from config only (metric label and audit detail). */
  key: string;
  host: string | undefined;
  prefix: string;
  methods: Set<string> | undefined;
  /** The upstream's URL; undefined only for the default route without upstream.url. */
  upstream: string | undefined;
  public: boolean;
  allow: MemberSet | undefined;
  deny: MemberSet | undefined;
  /** The default route when it denies: nobody passes. */
  closed: boolean;
}

export interface RouteTable {
  /** First match wins; unmatched requests get the default route. Allocation-free for an ordinary path. */
  match(host: string | undefined, path: string, method: string): CompiledRoute;
  readonly routes: readonly CompiledRoute[];
  readonly fallback: CompiledRoute;
}

function memberSet(members: RouteMembers | undefined): MemberSet | undefined {
  if (!members) return undefined;
  return {
    groups: new Set(members.groups.map((group) => group.toLowerCase())),
    emails: new Set(members.emails),
    domains: new Set(members.domains),
    loginMethods: new Set(members.loginMethods),
  };
}

const lowered = new WeakMap<Identity, { groups: string[]; email: string | null; domain: string | null }>();

function facts(identity: Identity) {
  let known = lowered.get(identity);
  if (!known) {
    const email = identity.email?.toLowerCase() ?? null;
    known = { groups: identity.groups.map((group) => group.toLowerCase()), email, domain: email ? email.slice(email.lastIndexOf('@') + 1) : null };
    lowered.set(identity, known);
  }
  return known;
}

function includes(set: MemberSet, identity: Identity): boolean {
  const { groups, email, domain } = facts(identity);
  if (set.groups.size && groups.some((group) => set.groups.has(group))) return true;
  if (email && set.emails.has(email)) return true;
  if (domain && set.domains.has(domain)) return true;
  return set.loginMethods.has(identity.loginMethod);
}

/** A signed-in member on a route that is not public: undefined when admitted, else why not. */
export function refusalFor(route: CompiledRoute, identity: Identity): RefusalReason | undefined {
  if (route.closed) return 'no_route';
  if (route.deny && includes(route.deny, identity)) return 'denied';
  if (route.allow && !includes(route.allow, identity)) return 'not_allowed';
  return undefined;
}

function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  return path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47);
}

/** Hostnames compare without case and without a port. */
export function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const end = value.startsWith('[') ? value.indexOf(']') + 1 : value.indexOf(':');
  return (end > 0 ? value.slice(0, end) : value).toLowerCase();
}

/**
 * Compiles gateway.routes once, at start: upstream names resolved, member lists as sets, and the routes indexed by the
 * first segment of their prefix (each index keeps config order), so a lookup among hundreds of routes scans only
 * those that share the request's first segment plus the routes on `/`. No pattern is built per request.
 */
export function compileRoutes(config: Config): RouteTable {
  const { gateway } = config;
  const routes: CompiledRoute[] = gateway.routes.map((route, index) => ({
    key: routeKey(route, index),
    host: route.host,
    prefix: routePrefix(route),
    methods: route.methods ? new Set(route.methods) : undefined,
    upstream: route.upstream === undefined ? config.upstream.url : route.upstream.includes('://') ? route.upstream : gateway.upstreams[route.upstream],
    public: route.public,
    allow: memberSet(route.allow),
    deny: memberSet(route.deny),
    closed: false,
  }));
  const fallback: CompiledRoute = {
    key: 'default', host: undefined, prefix: '/', methods: undefined, upstream: config.upstream.url, public: false,
    allow: undefined, deny: undefined, closed: gateway.defaultRoute === 'deny',
  };
  const everywhere = routes.filter((route) => route.prefix === '/');
  const byHost = routes.some((route) => route.host !== undefined);
  const bySegment = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    if (route.prefix === '/') continue;
    const segment = firstSegment(route.prefix);
    if (!bySegment.has(segment)) bySegment.set(segment, routes.filter((other) => other.prefix === '/' || firstSegment(other.prefix) === segment));
  }
  return {
    routes,
    fallback,
    match(host, rawPath, method) {
      if (!routes.length) return fallback;
      const path = canonicalPath(rawPath);
      const candidates = bySegment.get(firstSegment(path)) ?? everywhere;
      const wantedHost = byHost ? hostOf(host) : undefined;
      for (const route of candidates) {
        if (route.host !== undefined && route.host !== wantedHost) continue;
        if (route.methods && !route.methods.has(method)) continue;
        if (prefixMatches(route.prefix, path)) return route;
      }
      return fallback;
    },
  };
}
