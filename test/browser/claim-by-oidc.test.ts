import type { Browser } from 'playwright-core';
import { claimPath } from '../support/browser-agent.js';
import { invite } from '../support/claim-walk.js';
import type { Harness } from '../support/harness.js';
import { describeWithBrowser, freePort, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import { OP_CLIENT_ID, OP_CLIENT_SECRET, startTestOp, type TestOp } from '../support/oidc-op.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

describeWithBrowser('a person claims an account through OpenID Connect in a real browser', () => {
  let b: BrowserHarness;
  let h: Harness;
  let op: TestOp;
  let origin: string;
  let browser: Browser;
  const shot = screenshots('claim-by-oidc');

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    op = await startTestOp([`${origin}/sso/oidc/staff/callback`], [`${origin}/login?signedOut=1`]);
    op.accounts.set('dana', { email: 'dana@staff.example', email_verified: true, name: 'Dana Scully', job_title: 'Field agent' });
    b = await startBrowserHarness({
      baseUrl: origin,
      sso: {
        providers: [{
          id: 'staff', type: 'oidc', domains: ['staff.example'], issuer: op.issuer, clientId: OP_CLIENT_ID, clientSecret: OP_CLIENT_SECRET,
          allowHttp: true, attributes: { title: 'job_title' },
        }],
      },
    }, { port });
    ({ h, browser } = b);
  });

  afterAll(async () => {
    await b?.close();
    await op?.close();
  });

  it("opens the claim link, signs in at the provider's own page, skips the password step and lands signed in", async () => {
    const invited = await invite(h.runtime, 'dana@staff.example', 'Dana');
    const page = await browser.newPage();
    // The provider's development pages load a web font; nothing here may reach the internet.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());

    await page.goto(origin + claimPath(invited.claimUrl));
    expect(await page.locator('main').innerText()).toContain('single sign-on');
    await shot(page, '01-claim-link');
    await page.getByRole('button', { name: 'Start' }).click();

    await page.waitForURL(`${op.issuer}/**`);
    await page.locator('input[name="login"]').fill('dana');
    await page.locator('input[name="password"]').fill('any password');
    await shot(page, '02-provider-sign-in');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/\/interaction\//);
    // The provider asks for consent the first time.
    if (await page.locator('input[name="prompt"][value="consent"]').count()) {
      await shot(page, '03-provider-consent');
      await page.locator('button[type="submit"]').click();
    }

    await page.waitForURL(`${origin}/claim/flow/terms`);
    expect(await page.locator('.progress').textContent()).toBe('Step 1 of 3');
    await page.getByLabel(/I have read and accept the terms of use/).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL('**/claim/flow/profile');
    expect(await page.getByLabel(/Full name/).inputValue()).toBe('Dana Scully');
    expect(await page.getByLabel(/Job title/).inputValue()).toBe('Field agent');
    await shot(page, '04-profile-prefilled');
    await page.getByRole('button', { name: 'Continue' }).click();

    // No password step: the next page is the groups step.
    await page.waitForURL('**/claim/flow/groups');
    await page.getByLabel('Engineering').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${origin}/`);
    await shot(page, '05-signed-in');
    const facts = await page.locator('.facts').innerText();
    expect(facts).toContain('Dana Scully');
    expect(facts).toContain('Field agent');
    const member = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { id: invited.id });
    expect(member).toMatchObject({ status: 'claimed', loginMethod: 'sso', passwordHash: null });

    // Signing out also ends the session at the provider, which sends the browser back to the sign-in page.
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL(`${op.issuer}/**`);
    await shot(page, '06-provider-sign-out');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${origin}/login?signedOut=1`);
    expect(await page.getByRole('status').innerText()).toContain('You have signed out.');
    await page.goto(`${origin}/_claimgate/me`);
    await page.waitForURL(`${origin}/login?**`);
    await page.close();
  });
});
