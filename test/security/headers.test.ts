import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { claimPath, newAgent } from '../support/browser-agent.js';
import { invite, startClaim } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startUpstream } from '../support/upstream.js';

let h: Harness;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
beforeAll(async () => {
  upstream = await startUpstream();
  h = await startHarness({ upstream: { url: upstream.url, landingPath: '/app' } });
});
afterAll(async () => {
  await h.close();
  await upstream.close();
});

function directives(csp: string): Map<string, string> {
  return new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

describe('HTTP security headers', () => {
  // Attack: script injection (XSS) running inline script or style on claimgate's pages.
  it('script injection: every own page has a CSP without inline script or inline style', async () => {
    const invited = await invite(h.runtime);
    const pages = ['/login', '/claim/code', claimPath(invited.claimUrl), '/claim/not-a-token', '/claim/flow', '/login/nothing-here', '/healthz'];
    for (const path of pages) {
      const res = await request(h.app).get(path);
      expect({ path, csp: typeof res.headers['content-security-policy'] }).toEqual({ path, csp: 'string' });
      const csp = directives(res.headers['content-security-policy'] as string);
      expect(csp.get('script-src')).toBe("'none'");
      expect(csp.get('style-src')).toBe("'self'");
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'none'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    }
  });

  // Attack: a page that would need 'unsafe-inline' once the CSP is loosened; mail views are exempt (mail clients ignore CSS files).
  it('script injection: no view or asset carries an inline script, event handler or style attribute', () => {
    for (const file of [...filesUnder('views'), ...filesUnder('public')].filter((name) => !name.startsWith(join('views', 'mail')))) {
      const text = readFileSync(file, 'utf8');
      expect({ file, inline: /<script|<style|\sstyle=|\son[a-z]+=|javascript:/i.test(text) }).toEqual({ file, inline: false });
    }
  });

  // Attack: clickjacking the sign-in or claim forms inside a frame.
  it('clickjacking: own pages refuse to be framed', async () => {
    const res = await request(h.app).get('/login').expect(200);
    expect(directives(res.headers['content-security-policy'] as string).get('frame-ancestors')).toBe("'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  // Attack: the claim token leaking to another site through the Referer header.
  it('referrer leak: every claim page, and the errors under /claim, send Referrer-Policy: no-referrer', async () => {
    const invited = await invite(h.runtime);
    const agent = newAgent(h.app);
    const paths = [claimPath(invited.claimUrl), '/claim/code', '/claim/0000', '/claim/flow'];
    for (const path of paths) expect((await agent.get(path)).headers['referrer-policy']).toBe('no-referrer');
    await startClaim(agent, invited.claimUrl);
    const step = await agent.get('/claim/flow/terms').expect(200);
    expect(step.headers['referrer-policy']).toBe('no-referrer');
    expect(step.headers['cache-control']).toBe('no-store');
  });

  // Attack: exhausting memory with huge or many-field bodies.
  it('oversized bodies: a body over 32 kB or with too many fields gets 413 with a readable page', async () => {
    const big = await request(h.app).post('/login').type('form').send(`identifier=${'a'.repeat(40_000)}`);
    expect(big.status).toBe(413);
    expect(big.text).toContain('payload_too_large');
    const many = Array.from({ length: 200 }, (_, i) => `f${i}=1`).join('&');
    const fields = await request(h.app).post('/login').type('form').send(many);
    expect(fields.status).toBe(413);
    const json = await request(h.app).post('/login').set('Content-Type', 'application/json').send(JSON.stringify({ a: 'b'.repeat(40_000) }));
    expect(json.status).toBe(413);
  });

  // Attack: stripping TLS (downgrade) on an https deployment.
  it('TLS downgrade: https deployments send HSTS', async () => {
    const https = await startHarness({ baseUrl: 'https://claimgate.test', trustProxy: true });
    try {
      const res = await request(https.app).get('/login').set('X-Forwarded-Proto', 'https');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await https.close();
    }
  });
});

describe('HTTP security headers without an upstream', () => {
  // Attack: framing or script injection on an unknown path of a gateway that fronts nothing (the shipped default).
  it('clickjacking and injection on unknown paths: a 404 carries the same CSP, frame and referrer headers as every page', async () => {
    const bare = await startHarness();
    try {
      const res = await request(bare.app).get('/no-such-page').set('Accept', 'text/html').expect(404);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'none'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await bare.close();
    }
  });
});
