import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { eventLoopDelay } from './event-loop.js';
import { TalliedCounter } from './tally.js';

/**
 * The process's Prometheus metrics, in a registry of its own (never prom-client's global one, so two runtimes in
 * one process never share counters). Label values are route patterns and closed lists, never user input.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: TalliedCounter<'route' | 'method' | 'status'>;
  claimOutcomes: Counter<'method' | 'outcome'>;
  rateLimitHits: Counter<'limiter'>;
  /** Incremented by the SSO code: one per failed SAML/OIDC sign-in, by provider and stable error code. */
  ssoFailures: Counter<'provider' | 'reason'>;
  /** One per gateway or forward-auth decision, by route key (from config) and outcome. */
  gatewayDecisions: TalliedCounter<'route' | 'outcome'>;
  /** Observed by background jobs (reminders, exports): one observation per run. */
  jobDuration: Histogram<'job' | 'outcome'>;
  /** Webhook delivery attempts: delivered, retry (failed, will try again) or failed (given up). */
  webhookDeliveries: Counter<'outcome'>;
  /** The text `/metrics` answers: this process's registry, or under a cluster primary every worker's (cluster.ts). */
  scrape(): Promise<string>;
  /** Stops sampling the event loop. */
  close(): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'claimgate_' });
  const registers = [registry];
  const loop = eventLoopDelay(registry);
  return {
    registry,
    scrape: () => registry.metrics(),
    close: () => loop.stop(),
    httpRequests: new TalliedCounter({
      name: 'claimgate_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'], registers,
    }),
    claimOutcomes: new Counter({
      name: 'claimgate_claim_outcomes_total', help: 'Claim attempts by method (link, code, sso) and outcome.',
      labelNames: ['method', 'outcome'], registers,
    }),
    rateLimitHits: new Counter({
      name: 'claimgate_rate_limit_hits_total', help: 'Requests refused by a rate limit, by limiter.',
      labelNames: ['limiter'], registers,
    }),
    ssoFailures: new Counter({
      name: 'claimgate_sso_failures_total', help: 'Failed single sign-on attempts, by provider and reason code.',
      labelNames: ['provider', 'reason'], registers,
    }),
    gatewayDecisions: new TalliedCounter({
      name: 'claimgate_gateway_decisions_total', help: 'Gateway and forward-auth decisions, by route and outcome (public, allowed, sign_in, denied).',
      labelNames: ['route', 'outcome'], registers,
    }),
    jobDuration: new Histogram({
      name: 'claimgate_job_duration_seconds', help: 'Duration of background job runs, by job and outcome.',
      labelNames: ['job', 'outcome'], buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900], registers,
    }),
    webhookDeliveries: new Counter({
      name: 'claimgate_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered, retry, failed).',
      labelNames: ['outcome'], registers,
    }),
  };
}
