import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { newAgent } from '../support/browser-agent.js';
import { describeWithBrowser, freePort, launchChromium, screenshots, serve } from '../support/chromium.js';
import { startHarness, type Harness } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

describeWithBrowser('a member uses the organisation\'s app through the gateway', () => {
  let h: Harness;
  let gateway: Awaited<ReturnType<typeof serve>>;
  let whoami: ChildProcess;
  let browser: Browser;
  const shot = screenshots('gateway');

  beforeAll(async () => {
    const [gatewayPort, appPort] = [await freePort(), await freePort()];
    h = await startHarness({ upstream: { url: `http://127.0.0.1:${appPort}`, landingPath: '/dashboard' } });
    gateway = await serve(h.app, gatewayPort);
    whoami = spawn('node', ['examples/whoami.mjs'], {
      env: { ...process.env, PORT: String(appPort), CLAIMGATE: gateway.origin, ISSUER: h.config.baseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => whoami.stdout!.once('data', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    whoami?.kill();
    await gateway?.close();
    await h?.close();
  });

  it('signs in, lands on the app, and the app sees the identity headers and a verified token', async () => {
    const invited = await invite(h.runtime, 'whoami@example.com', 'Wai Hu');
    await claimAll(newAgent(h.app), invited.claimUrl, { name: 'Wai Hu' });
    const page = await browser.newPage();
    await page.goto(`${gateway.origin}/dashboard?tab=me`);
    await page.waitForURL('**/login?returnTo=**');
    await page.getByLabel(/Email or username/).fill(invited.email);
    await page.getByLabel(/Password/).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${gateway.origin}/dashboard?tab=me`);
    await shot(page, '01-app-through-gateway');
    const headers = await page.locator('#headers').innerText();
    expect(headers).toContain(invited.id);
    expect(headers).toContain('Wai Hu');
    expect(headers).toContain('Announcements,Engineering');
    const claims = JSON.parse(await page.locator('#claims').innerText());
    expect(claims).toMatchObject({ sub: invited.id, email: invited.email, name: 'Wai Hu', groups: [], chosen_groups: ['Announcements', 'Engineering'] });
    await page.close();
  });
});
