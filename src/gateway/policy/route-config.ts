import { z } from 'zod';

/** Who a route admits (`allow`) or turns away (`deny`): any one entry that matches the member is enough. */
export const routeMembersSchema = z.strictObject({
  /** Assigned groups only (admin, import, SSO, SCIM); groups members chose never count. Compared without case. */
  groups: z.array(z.string().trim().min(1).max(100)).default([]),
  emails: z.array(z.string().trim().toLowerCase().min(3)).default([]),
  /** The domain of the member's email, exactly (`example.com` does not cover `eu.example.com`). */
  domains: z.array(z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+$/, 'a domain name such as example.com')).default([]),
  loginMethods: z.array(z.enum(['password', 'sso'])).default([]),
});
export type RouteMembers = z.output<typeof routeMembersSchema>;

export const routeSchema = z.strictObject({
  /** Names the route in audit rows and metrics; default `routes[<index>]`. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dots, dashes and underscores').optional(),
  /** The Host the request names (without port), compared without case; absent: any host. */
  host: z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+$/, 'a host name such as app.example.com').optional(),
  /** A path prefix, matched on whole segments (`/pay` does not match `/payroll`) after canonicalisation. */
  path: z.string().startsWith('/').default('/'),
  /** Absent: every method. */
  methods: z.array(z.string().trim().toUpperCase().regex(/^[A-Z]{1,16}$/)).min(1).optional(),
  /** A name from gateway.upstreams or a URL; absent: upstream.url. */
  upstream: z.string().min(1).optional(),
  /** No sign-in at all: health checks, webhooks, assets. No identity is passed on. */
  public: z.boolean().default(false),
  /** Absent: every signed-in, onboarded member. */
  allow: routeMembersSchema.optional(),
  /** Wins over allow. */
  deny: routeMembersSchema.optional(),
});
export type RouteConfig = z.output<typeof routeSchema>;

export const gatewayRoutingSchema = {
  /** Named upstream applications, for routes to point at. */
  upstreams: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.url()).default({}),
  /** First match wins. */
  routes: z.array(routeSchema).default([]),
  /** Paths no route matches: `members` (every signed-in member, to upstream.url: the behaviour without routes) or `deny`. */
  defaultRoute: z.enum(['members', 'deny']).default('members'),
};
