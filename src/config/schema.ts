import { z } from 'zod';
import { LOCALES } from '../i18n/locales.js';
import { parseDuration } from './duration.js';
import { gatewayRoutingSchema } from '../gateway/policy/route-config.js';
import { checkRoutes } from '../gateway/policy/route-checks.js';
import { AUDIT_EVENTS } from '../audit/events.js';
import { webhookSecret, webhookUrl } from './webhook-values.js';
import { literalTargetProblem } from '../webhooks/target-rules.js';

const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      const parsed = parseDuration(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (use e.g. 90s, 15m, 8h, 30d)` });
        return z.NEVER;
      }
      return parsed;
    });

/** `url: ${DATABASE_URL}` with the variable unset reads as "", which means "not configured". */
const optionalUrl = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined))
  .pipe(z.url().optional());

const ADDRESS = '(?:loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(?:/\\d{1,3})?)';
const TRUST_PROXY = new RegExp(`^${ADDRESS}(?:\\s*,\\s*${ADDRESS})*$`);

/** What an admin may do: read the people pages and audit history, or also change accounts. */
export const PERMISSIONS = ['accounts:read', 'accounts:manage', 'groups:assign'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PROFILE_FIELDS = ['name', 'firstName', 'lastName', 'title', 'department', 'location', 'phone', 'locale'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

// --- SAML provider (src/sso/saml/) ---
/** Where the IdP is described: its metadata (file or URL), or an entry point with its signing certificate(s). */
const samlProvider = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes'),
  type: z.literal('saml'),
  domains: z.array(z.string().toLowerCase()).default([]),
  idpMetadataFile: z.string().optional(),
  idpMetadataUrl: z.url().optional(),
  entryPoint: z.url().optional(),
  /** PEM text, or the path of a PEM file; several when the IdP is rolling its key over. */
  idpCert: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** The Issuer the IdP's responses must carry; read from the metadata's entityID when absent. */
  idpIssuer: z.string().min(1).optional(),
  /** Default: `${baseUrl}/sso/saml/<id>/metadata`. */
  spEntityId: z.string().min(1).optional(),
  spSigningKeyFile: z.string().optional(),
  spSigningCertFile: z.string().optional(),
  spDecryptionKeyFile: z.string().optional(),
  spDecryptionCertFile: z.string().optional(),
  /** Default: the NameID, when it is an email address. */
  emailAttribute: z.string().min(1).optional(),
  nameAttribute: z.string().min(1).optional(),
  /** The attribute whose values are the member's assigned groups from this provider, replaced at every sign-in. */
  groupsAttribute: z.string().min(1).optional(),
  /** Profile field → SAML attribute name, to prefill the profile step. */
  attributes: z.partialRecord(z.enum(PROFILE_FIELDS), z.string().min(1)).default({}),
  clockSkew: duration('60s').pipe(z.number().max(10 * 60 * 1000, 'must be at most 10m')),
  /** Relative path prefixes a RelayState may name; anything else is refused. */
  relayStateAllowlist: z.array(z.string().startsWith('/').refine((value) => !value.startsWith('//'), 'must be a relative path')).default(['/']),
  jitProvisioning: z.boolean().default(false),
});
export type SamlProviderConfig = z.output<typeof samlProvider>;
// --- end SAML provider ---

// --- OIDC provider (src/sso/oidc/) ---
export const OIDC_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
const signingAlg = z
  .string()
  .refine((value) => value.toLowerCase() !== 'none', 'unsigned ID tokens ("none") are never accepted')
  .pipe(z.enum(OIDC_SIGNING_ALGS));

const oidcProvider = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes'),
  type: z.literal('oidc'),
  domains: z.array(z.string().toLowerCase()).default([]),
  /** Discovery reads `${issuer}/.well-known/openid-configuration`; the document and every ID token must name exactly this issuer. */
  issuer: z.url(),
  clientId: z.string().min(1),
  /** Absent: a public client (PKCE only, no client authentication). */
  clientSecret: z
    .string()
    .optional()
    .transform((value) => (value && value !== '' ? value : undefined)),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']).refine((scopes) => scopes.includes('openid'), 'must include "openid"'),
  emailClaim: z.string().min(1).default('email'),
  nameClaim: z.string().min(1).default('name'),
  /** The ID token claim (a list of names) holding the member's assigned groups from this provider, replaced at every sign-in. */
  groupsClaim: z.string().min(1).optional(),
  /** Profile field → ID token / userinfo claim, to prefill the profile step. */
  attributes: z.partialRecord(z.enum(PROFILE_FIELDS), z.string().min(1)).default({}),
  /** An email the provider marks `email_verified: false` is never used to match a member. */
  requireVerifiedEmail: z.boolean().default(true),
  idTokenSigningAlgs: z.array(signingAlg).min(1).default(['RS256', 'ES256', 'EdDSA']),
  clockTolerance: duration('30s').pipe(z.number().max(5 * 60 * 1000, 'must be at most 5m')),
  /** How long to wait for the provider's discovery, token and JWKS endpoints. */
  timeout: duration('10s'),
  /** Plain-HTTP issuers are refused unless this is true (local development only). */
  allowHttp: z.boolean().default(false),
  jitProvisioning: z.boolean().default(false),
});
export type OidcProviderConfig = z.output<typeof oidcProvider>;
// --- end OIDC provider ---

export const configSchema = z.strictObject({
    baseUrl: z.url({ error: (issue) => (issue.input === undefined ? 'required (or set CLAIMGATE_BASE_URL)' : undefined) }).transform((value) => value.replace(/\/+$/, '')),
    secret: z
      .string()
      .optional()
      .transform((value) => (value && value !== '' ? value : undefined))
      .pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    dataDir: z.string().default('data'),
    trustProxy: z
      .union([z.boolean(), z.number().int().min(0), z.string().regex(TRUST_PROXY, 'use true, a hop count, loopback/linklocal/uniquelocal, or addresses/CIDRs separated by commas')])
      .default(false),
    database: z.strictObject({ url: optionalUrl }).prefault({}),
    server: z
      .strictObject({
        /**
         * Processes serving the port: a number, or `auto` (one per core). Unset: `auto` with database.url, 1 in the
         * embedded mode (SQLite has one writer). See src/server/worker-count.ts.
         */
        workers: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).optional(),
        /** A worker whose event loop has not answered the primary for this long hangs: it is killed and replaced. */
        workerTimeout: duration('30s').pipe(z.number().min(1000, 'must be at least 1s: a busy moment is not a hang')),
      })
      .prefault({}),
    redis: z.strictObject({ url: optionalUrl, prefix: z.string().default('claimgate:') }).prefault({}),
    claim: z.strictObject({
        methods: z.strictObject({ link: z.boolean().default(true), accessCode: z.boolean().default(true), sso: z.boolean().default(true) })
          .prefault({}),
        linkTtl: duration('30d'),
        accessCodeTtl: duration('90d'),
        flowTtl: duration('1d'),
        username: z
          .strictObject({ minLength: z.number().int().min(2).max(64).default(3), maxLength: z.number().int().min(2).max(64).default(32) })
          .prefault({}),
        accessCodeLimits: z
          .strictObject({
            perIp: z.number().int().min(1).default(10),
            perIpWindow: duration('15m'),
            perMember: z.number().int().min(1).max(100).default(100),
            global: z.number().int().min(1).default(1000),
            globalWindow: duration('1h'),
          })
          .prefault({}),
      })
      .prefault({}),
    recovery: z.strictObject({
        /** Forgot password (recovery links by mail) and recovery codes issued by an admin. */
        enabled: z.boolean().default(true),
        linkTtl: duration('1h').pipe(z.number().max(7 * 24 * 3600 * 1000, 'must be at most 7d')),
        codeTtl: duration('7d').pipe(z.number().max(90 * 24 * 3600 * 1000, 'must be at most 90d')),
        /**
         * Every answer of the forgot-password page takes at least this long, whatever was typed, so its time tells
         * nothing about whether the account exists.
         */
        answerTime: duration('400ms').pipe(z.number().max(10 * 1000, 'must be at most 10s')),
        limits: z
          .strictObject({
            /** Forgot-password requests from one address per window. */
            perIp: z.number().int().min(1).default(10),
            perIpWindow: duration('15m'),
            /** Recovery mails to one account per window; past it, requests get the same answer and no mail. */
            perAccount: z.number().int().min(1).max(100).default(3),
            perAccountWindow: duration('1h'),
            /** Forgot-password requests from everyone per window. */
            global: z.number().int().min(1).default(1000),
            globalWindow: duration('1h'),
          })
          .prefault({}),
      })
      .prefault({}),
    rateLimits: z.strictObject({
        /** Per-address limits count an IPv6 client by its network of this many bits (one subscriber's /64 is one client). */
        ipv6Prefix: z.number().int().min(32).max(128).default(64),
      })
      .prefault({}),
    members: z.strictObject({ defaultLoginMethod: z.enum(['password', 'sso']).default('password') })
      .prefault({}),
    scim: z.strictObject({
        /** What a member created by SCIM becomes: provisioned (no email sent) or invited (claim link mailed). */
        onCreate: z.enum(['provision', 'invite']).default('provision'),
        /** The login method of members created by SCIM; absent: members.defaultLoginMethod. */
        loginMethod: z.enum(['password', 'sso']).optional(),
        /** Requests per client and window, across every replica; past it, 429 with Retry-After. */
        rateLimit: z.strictObject({ requests: z.number().int().min(1).default(1200), window: duration('1m') }).prefault({}),
        /** The largest page of a list (`count`). */
        maxResults: z.number().int().min(1).max(1000).default(200),
      })
      .prefault({}),
    sso: z.strictObject({
        required: z.boolean().default(false),
        providers: z.array(z.discriminatedUnion('type', [samlProvider, oidcProvider])).default([]),
      })
      .prefault({}),
    firstAccess: z.strictObject({
        terms: z.strictObject({
            enabled: z.boolean().default(false),
            version: z.string().min(1).default('1'),
            /** The default text; `files` may give the same version in other languages, one file per locale. */
            file: z.string().optional(),
            files: z.partialRecord(z.enum(LOCALES), z.string().min(1)).default({}),
          })
          .prefault({}),
        profile: z.strictObject({
            enabled: z.boolean().default(false),
            fields: z.array(z.enum(PROFILE_FIELDS)).default(['name']),
            required: z.array(z.enum(PROFILE_FIELDS)).default([]),
            picture: z.enum(['off', 'optional', 'required']).default('off'),
            pictureMaxBytes: z.number().int().positive().default(5 * 1024 * 1024),
          })
          .prefault({}),
        password: z.strictObject({
            enabled: z.boolean().default(true),
            minLength: z.number().int().min(8).max(128).default(12),
            maxLength: z.number().int().min(16).max(1024).default(256),
          })
          .prefault({}),
        groups: z.strictObject({
            enabled: z.boolean().default(false),
            pool: z.array(z.string().trim().min(1).max(100)).default([]),
            /** Groups members may never choose (not offered, not accepted): only an admin, import, SSO or SCIM assigns them. */
            assignedOnly: z.array(z.string().trim().min(1).max(100)).default([]),
            min: z.number().int().min(0).default(0),
            max: z.number().int().min(1).default(5),
          })
          .prefault({}),
      })
      .prefault({}),
    session: z.strictObject({ idleTimeout: duration('8h'), absoluteTimeout: duration('7d') })
      .prefault({}),
    upstream: z
      .strictObject({
        url: optionalUrl,
        landingPath: z.string().startsWith('/').default('/'),
        timeout: duration('60s'),
        /** The Host the upstream is sent: baseUrl's (the same as X-Forwarded-Host) or the upstream's own; never the client's. */
        host: z.enum(['baseUrl', 'upstream']).default('baseUrl'),
        /** Client headers of the stripped families that a trusted proxy in front sets and the upstream needs (names). */
        keepClientHeaders: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/).transform((name) => name.toLowerCase())).default([]),
      })
      .prefault({}),
    gateway: z
      .strictObject({
        /** How long a member's identity (status, groups, accepted terms) is reused before it is read again. */
        identityCacheTtl: duration('10s'),
        /**
         * How often a replica re-reads the sessions of its open WebSocket tunnels and closes those that ended
         * (timeouts; without Redis also sign-out and deactivation, which Redis announces at once).
         */
        tunnelRecheck: duration('1s'),
        ...gatewayRoutingSchema,
        jwt: z
          .strictObject({
            ttl: duration('5m'),
            audience: z.string().optional(),
            /** Empty: one Ed25519 key derived from the secret, the same on every replica. */
            keys: z
              .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), privateKeyFile: z.string(), state: z.enum(['active', 'published']) }))
              .default([]),
          })
          .prefault({}),
      })
      .prefault({}),
    /**
     * Members with the admin role, by email or employee ID. A bare entry gets every permission; an object names them,
     * e.g. `{ member: ops@example.com, permissions: [accounts:read] }` for read-only access to the people pages.
     */
    admins: z
      .array(z.union([
        z.string().trim().toLowerCase().min(1),
        z.strictObject({ member: z.string().trim().toLowerCase().min(1), permissions: z.array(z.enum(PERMISSIONS)).min(1) }),
      ]))
      .default([]),
    imports: z.strictObject({
        /** The largest CSV the admin pages and API accept (the CLI has --max-bytes). */
        maxBytes: z.number().int().min(1024).default(50 * 1024 * 1024),
      })
      .prefault({}),
    exports: z.strictObject({
        /** How long the emailed download link of an export works. */
        linkTtl: duration('24h'),
      })
      .prefault({}),
    reminders: z.strictObject({
        enabled: z.boolean().default(true),
        /** Days after the invitation (or the last re-issued link) on which an unclaimed member is reminded. */
        days: z.array(z.number().int().min(1).max(365)).max(10).default([3, 5]),
        /** How often the reminder check runs. */
        checkEvery: duration('10m'),
      })
      .prefault({}),
    webhooks: z.strictObject({
        /**
         * Endpoints that receive signed events (Standard Webhooks). More can be added with `claimgate webhook create` or
         * the admin API; these are kept in step with this file at every start.
         */
        endpoints: z.array(z.strictObject({
          name: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'lower-case letters, digits, - and _ (at most 48)'),
          url: webhookUrl,
          /** `whsec_` and base64 of 24 to 64 random bytes (`claimgate webhook secret` prints one). */
          secret: webhookSecret,
          /** While rotating: the old secret, still signing beside the new one until it is removed from here. */
          previousSecret: webhookSecret.optional(),
          events: z.array(z.union([z.literal('*'), z.enum(AUDIT_EVENTS)])).min(1).default(['*']),
        })).default([])
          .refine((list) => new Set(list.map((endpoint) => endpoint.name)).size === list.length, 'endpoint names must differ'),
        /** How long one delivery may take before it counts as failed. */
        timeout: duration('10s').pipe(z.number().min(1000).max(60_000)),
        /** How long a message is retried (exponential backoff) before it is given up and its endpoint disabled. */
        retryFor: duration('3d'),
        /** The first retry's delay; each later one doubles, up to `maxBackoff`. */
        firstBackoff: duration('10s'),
        maxBackoff: duration('6h'),
        /** How often each serving process looks for retries that fell due (new events are sent at once). */
        pollEvery: duration('5s'),
        /** When a rotated secret stops signing (`claimgate webhook rotate`). */
        rotationOverlap: duration('24h'),
        /**
         * Let endpoints target loopback, link-local, private, unique-local, multicast or cloud-metadata addresses. Off,
         * such URLs are refused when an endpoint is created and every delivery checks the address it connects to.
         */
        allowPrivateTargets: z.boolean().default(false),
      })
      .superRefine((webhooks, context) => {
        if (webhooks.allowPrivateTargets) return;
        webhooks.endpoints.forEach((endpoint, index) => {
          const problem = URL.canParse(endpoint.url) ? literalTargetProblem(new URL(endpoint.url)) : null;
          if (problem) context.addIssue({ code: 'custom', path: ['endpoints', index, 'url'], message: `${problem} (set webhooks.allowPrivateTargets to allow it)` });
        });
      })
      .prefault({}),
    apiTokens: z.strictObject({
        /** Requests per minute one service token may make. */
        perMinute: z.number().int().min(1).default(600),
      })
      .prefault({}),
    mail: z.strictObject({ from: z.string().min(3).default('claimgate@localhost'), smtpUrl: optionalUrl, outboxDir: z.string().optional() })
      .prefault({}),
    metrics: z
      .strictObject({
        /** Off by default: /metrics answers 404 until an operator turns it on and gives the scraper a token. */
        enabled: z.boolean().default(false),
        token: z
          .string()
          .optional()
          .transform((value) => (value && value !== '' ? value : undefined))
          .pipe(z.string().min(32, 'must be at least 32 characters').optional()),
      })
      .prefault({}),
    i18n: z.strictObject({
        /** The language when neither the member, the page's switcher nor the browser names one claimgate speaks. */
        defaultLocale: z.enum(LOCALES).default('en'),
        /** A folder laid out like `locales/` (`<locale>/<file>.json`) whose messages replace the shipped ones. */
        overrides: z.string().optional().transform((value) => (value && value.trim() !== '' ? value.trim() : undefined)),
      })
      .prefault({}),
    branding: z.strictObject({
        /** Shown in the header, page titles and mails instead of "claimgate". */
        name: z.string().trim().min(1).max(100).default('claimgate'),
        /** A PNG, JPEG, WebP, GIF or SVG file, served with a long cache under a content-hashed URL. */
        logo: z.string().optional(),
        /** `#rrggbb`: buttons and links; it must reach WCAG AA contrast (4.5:1) against white. */
        primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'use a colour written #rrggbb').optional(),
        /** Shown on every error page: an email address, a phone number or a URL. */
        supportContact: z.string().trim().min(1).max(200).optional(),
        /** A stylesheet served after claimgate's own. */
        css: z.string().optional(),
      })
      .prefault({}),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const { terms, profile, groups } = config.firstAccess;
    if (terms.enabled && !terms.file) {
      ctx.addIssue({ code: 'custom', path: ['firstAccess', 'terms', 'file'], message: 'required when terms are enabled' });
    }
    profile.required.forEach((field, index) => {
      if (!profile.fields.includes(field)) {
        ctx.addIssue({ code: 'custom', path: ['firstAccess', 'profile', 'required', index], message: `"${field}" is not in profile.fields` });
      }
    });
    const assignedOnly = new Set(groups.assignedOnly.map((name) => name.toLowerCase()));
    groups.pool.forEach((name, index) => {
      if (assignedOnly.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['firstAccess', 'groups', 'pool', index], message: `"${name}" is also listed in firstAccess.groups.assignedOnly` });
    });
    if (groups.min > groups.max) {
      ctx.addIssue({ code: 'custom', path: ['firstAccess', 'groups', 'min'], message: 'must not be greater than groups.max' });
    }
    if (config.session.idleTimeout > config.session.absoluteTimeout) {
      ctx.addIssue({ code: 'custom', path: ['session', 'idleTimeout'], message: 'must not be longer than session.absoluteTimeout' });
    }
    if (config.database.url && !/^postgres(ql)?:/.test(config.database.url)) {
      ctx.addIssue({ code: 'custom', path: ['database', 'url'], message: 'only postgres:// URLs are supported' });
    }
    if (!config.database.url && config.server.workers !== undefined && config.server.workers !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'workers'],
        message: 'must be 1 in the embedded mode (SQLite allows one writer): set database.url to run more workers',
      });
    }
    if (config.redis.url && !/^rediss?:/.test(config.redis.url)) {
      ctx.addIssue({ code: 'custom', path: ['redis', 'url'], message: 'must be a redis:// or rediss:// URL' });
    }
    if (config.upstream.url && !/^https?:\/\//i.test(config.upstream.url)) {
      ctx.addIssue({ code: 'custom', path: ['upstream', 'url'], message: 'must be an http:// or https:// URL' });
    }
    if (!/^https?:\/\//i.test(config.baseUrl)) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'must be an http:// or https:// URL' });
    }
    if (config.baseUrl.startsWith('https://') && config.trustProxy === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['trustProxy'],
        message: 'must be set when baseUrl is https: claimgate serves plain HTTP behind a TLS proxy and needs to trust its X-Forwarded-Proto',
      });
    }
    if (config.database.url && !config.secret) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'required when database.url is set: every replica must share it (set CLAIMGATE_SECRET)',
      });
    }
    if (config.metrics.enabled && !config.metrics.token) {
      ctx.addIssue({ code: 'custom', path: ['metrics', 'token'], message: 'required when metrics are enabled: scrapers send it as a bearer token' });
    }
    for (const issue of checkRoutes(config.gateway.routes, config.gateway.upstreams)) ctx.addIssue({ code: 'custom', ...issue });
    const keys = config.gateway.jwt.keys;
    if (keys.length && keys.filter((key) => key.state === 'active').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['gateway', 'jwt', 'keys'], message: 'exactly one key must be active (the others are published only)' });
    }
    const ids = new Set<string>();
    config.sso.providers.forEach((provider, index) => {
      if (ids.has(provider.id)) ctx.addIssue({ code: 'custom', path: ['sso', 'providers', index, 'id'], message: 'duplicate provider id' });
      ids.add(provider.id);
      // --- OIDC provider: HTTPS issuer unless explicitly allowed ---
      if (provider.type === 'oidc' && provider.issuer.startsWith('http://') && !provider.allowHttp) {
        ctx.addIssue({ code: 'custom', path: ['sso', 'providers', index, 'issuer'], message: 'must be https:// (set allowHttp: true only for local development)' });
      }
      // --- SAML provider: exactly one description of the IdP ---
      if (provider.type === 'saml') {
        const at = (key: string) => ['sso', 'providers', index, key];
        const sources = [provider.idpMetadataFile, provider.idpMetadataUrl, provider.entryPoint].filter(Boolean).length;
        if (sources !== 1) ctx.addIssue({ code: 'custom', path: at('idpMetadataFile'), message: 'set exactly one of idpMetadataFile, idpMetadataUrl, or entryPoint with idpCert' });
        if (provider.entryPoint && !provider.idpCert) ctx.addIssue({ code: 'custom', path: at('idpCert'), message: 'required with entryPoint' });
        if (provider.entryPoint && !provider.idpIssuer) ctx.addIssue({ code: 'custom', path: at('idpIssuer'), message: 'required with entryPoint' });
        if (Boolean(provider.spSigningKeyFile) !== Boolean(provider.spSigningCertFile)) {
          ctx.addIssue({ code: 'custom', path: at('spSigningCertFile'), message: 'spSigningKeyFile and spSigningCertFile go together' });
        }
        if (Boolean(provider.spDecryptionKeyFile) !== Boolean(provider.spDecryptionCertFile)) {
          ctx.addIssue({ code: 'custom', path: at('spDecryptionCertFile'), message: 'spDecryptionKeyFile and spDecryptionCertFile go together' });
        }
      }
    });
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
