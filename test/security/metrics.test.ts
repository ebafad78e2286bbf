import request from 'supertest';
import { parseConfig, ConfigError } from '../../src/config/load.js';
import { claimPath, newAgent } from '../support/browser-agent.js';
import { invite } from '../support/claim-walk.js';
import { startHarness, testConfigInput, type Harness } from '../support/harness.js';

const TOKEN = 'metrics-token-long-enough-for-the-rule-0123';

describe('metrics endpoint', () => {
  // Attack: reading internal metrics (traffic, failure rates) from the internet.
  it('metrics exposure: /metrics answers 404 unless an operator turns it on', async () => {
    const h = await startHarness();
    try {
      await request(h.app).get('/metrics').expect(404);
    } finally {
      await h.close();
    }
  });

  it('metrics exposure: turning metrics on without a token is a configuration error', () => {
    expect(() => parseConfig(testConfigInput('/tmp/unused', undefined, { metrics: { enabled: true } }), 'test')).toThrow(ConfigError);
    expect(() => parseConfig(testConfigInput('/tmp/unused', undefined, { metrics: { enabled: true, token: 'short' } }), 'test')).toThrow(/metrics\.token/);
  });

  describe('when enabled', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ metrics: { enabled: true, token: TOKEN }, trustProxy: true });
    });
    afterAll(() => h.close());

    // Attack: scraping without the token, or guessing it.
    it('metrics exposure: no token or a wrong token gets 401', async () => {
      const missing = await request(h.app).get('/metrics').expect(401);
      expect(missing.headers['www-authenticate']).toContain('Bearer');
      await request(h.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      await request(h.app).get('/metrics').set('Authorization', `Basic ${TOKEN}`).expect(401);
    });

    // Attack: a claim token leaking through a metric label.
    it('token leak: requests are counted by route pattern, never by path; outcomes, limits, SSO and jobs are exported', async () => {
      const invited = await invite(h.runtime);
      const token = claimPath(invited.claimUrl).split('/').pop()!;
      await newAgent(h.app).get(claimPath(invited.claimUrl)).expect(200);
      for (let i = 0; i < 21; i++) await request(h.app).get(`/claim/${'0'.repeat(32)}${'A'.repeat(43)}`).set('X-Forwarded-For', '203.0.113.50');
      const res = await request(h.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.text).not.toContain(token);
      expect(res.text).toMatch(/claimgate_http_requests_total\{route="\/claim\/:token",method="GET",status="200"\} 1/);
      expect(res.text).toMatch(/claimgate_http_requests_total\{route="\/claim\/:token",method="GET",status="404"\} 20/);
      expect(res.text).toMatch(/claimgate_claim_outcomes_total\{method="link",outcome="rejected"\} 20/);
      expect(res.text).toMatch(/claimgate_rate_limit_hits_total\{limiter="claim-link"\} 1/);
      expect(res.text).toContain('# TYPE claimgate_sso_failures_total counter');
      expect(res.text).toContain('# TYPE claimgate_job_duration_seconds histogram');
      expect(res.text).toMatch(/^claimgate_event_loop_delay_seconds\{quantile="0\.99"\} /m);
    });
  });
});
