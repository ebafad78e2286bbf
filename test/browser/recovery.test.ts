import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { issueRecoveryCode } from '../../src/recovery/codes.js';
import { newAgent } from '../support/browser-agent.js';
import { claimAll, claimWithCode, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { describeWithBrowser, expectErrorSummary, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import type { Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const NEW_PASSWORD = 'marble otter quietly sings';

/** A real SMTP server on a loopback port that keeps every message it receives. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; inbox: string[] }> {
  const inbox: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inbox.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, inbox };
}

const unfold = (text: string) => text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Waits for the recovery link in `read()`'s messages (the mail leaves after the page answers). */
async function linkIn(read: () => string[]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const match = read().map(unfold).join('\n').match(/http:\/\/claimgate\.test(\/recover\/[0-9a-f]{32}[A-Za-z0-9_-]{43})/);
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no recovery mail arrived');
}

async function signInWith(context: BrowserContext, origin: string, identifier: string, password: string): Promise<string> {
  const page = await context.newPage();
  await page.goto(`${origin}/login`);
  await page.getByLabel(/Email or username/).fill(identifier);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  const url = page.url();
  await page.close();
  return url;
}

for (const transport of ['outbox', 'smtp'] as const) {
  describeWithBrowser(`forgot password, mail through the ${transport}`, () => {
    let b: BrowserHarness;
    let h: Harness;
    let browser: Browser;
    let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
    const shot = screenshots(`recovery-${transport}`);

    beforeAll(async () => {
      smtp = transport === 'smtp' ? await startSmtp() : undefined;
      b = await startBrowserHarness(smtp ? { mail: { smtpUrl: `smtp://127.0.0.1:${smtp.port}` } } : {});
      ({ h, browser } = b);
    });

    afterAll(async () => {
      await b?.close();
      if (smtp) await new Promise<void>((resolve) => smtp!.server.close(() => resolve()));
    });

    // Attacks: a mail scanner burning the link before the member opens it; an old password or session outliving the reset.
    it('asks from the sign-in page, survives a scanner\'s HEAD and GET, sets a new password and signs the member in', async () => {
      const email = `forgetful-${transport}@example.com`;
      const invited = await invite(h.runtime, email, 'Forgetful Person');
      await claimAll(newAgent(h.app), invited.claimUrl);
      const read = () => (smtp ? smtp.inbox.filter((mail) => mail.includes(`To: ${email}`)) : mailsTo(h.dataDir, email));

      const elsewhere = await browser.newContext();
      expect(await signInWith(elsewhere, b.origin, email, GOOD_PASSWORD)).toBe(`${b.origin}/`);

      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${b.origin}/login`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL('**/recover');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await expectErrorSummary(page, 'Enter the email address of your account.');
      await page.getByLabel(/Email address/).fill(email.toUpperCase());
      await shot(page, '01-forgot');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      await shot(page, '02-sent');

      const path = await linkIn(read);
      for (const method of ['HEAD', 'GET', 'GET']) {
        const scanned = await fetch(`${b.origin}${path}`, { method, redirect: 'manual' });
        expect([method, scanned.status]).toEqual([method, 200]);
      }

      await page.goto(`${b.origin}${path}`);
      await page.getByLabel(/New password/).fill('too short');
      await page.getByLabel(/Type the password again/).fill('too short');
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await expectErrorSummary(page, 'Use at least 12 characters.');
      await page.getByLabel(/New password/).fill(NEW_PASSWORD);
      await page.getByLabel(/Type the password again/).fill(NEW_PASSWORD);
      await shot(page, '03-new-password');
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await page.waitForURL(`${b.origin}/`);
      expect(await page.locator('main').innerText()).toContain(email);
      await shot(page, '04-signed-in');

      // The link is spent: opening it again shows the refusal page.
      await page.goto(`${b.origin}${path}`);
      expect(await page.locator('main').innerText()).toContain('This password reset link cannot be used');
      await context.close();

      const fresh = await browser.newContext();
      expect(await signInWith(fresh, b.origin, email, GOOD_PASSWORD)).toBe(`${b.origin}/login`);
      expect(await signInWith(fresh, b.origin, email, NEW_PASSWORD)).toBe(`${b.origin}/`);
      await fresh.close();
      // The session signed in with the old password in another browser is gone.
      const other = await elsewhere.newPage();
      await other.goto(`${b.origin}/`);
      expect(new URL(other.url()).pathname).toBe('/login');
      await elsewhere.close();
    });
  });
}

describeWithBrowser('a member without email recovers with a recovery code', () => {
  let b: BrowserHarness;
  let h: Harness;
  let browser: Browser;
  const shot = screenshots('recovery-code');

  beforeAll(async () => {
    b = await startBrowserHarness({ firstAccess: { profile: { picture: 'off' } } });
    ({ h, browser } = b);
  });
  afterAll(() => b?.close());

  // Attack: a recovery dead end for people without email; a recovery code that opens more than the password step.
  it('types employee ID and recovery code at the access-code page, chooses only a new password, then signs in with the username', async () => {
    const invited = await inviteByEmployeeId(h.runtime, { employeeId: 'W-2077', name: 'Robin Floor', actorId: 'test' });
    await claimWithCode(newAgent(h.app), 'W-2077', invited.accessCode, 'robin');
    const issued = await issueRecoveryCode(h.runtime, invited.id, 'test');

    const page = await browser.newPage();
    await page.goto(`${b.origin}/login`);
    await page.getByRole('link', { name: 'I have an access code' }).click();
    await page.getByLabel(/Employee ID/).fill('w-2077');
    await page.getByLabel(/Access code/).fill(issued.recoveryCode.toLowerCase().replace(/-/g, ' '));
    await shot(page, '01-code');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/claim/flow/password');
    expect(await page.locator('.progress').textContent()).toBe('Step 1 of 1');
    await page.getByLabel(/New password/).fill(NEW_PASSWORD);
    await page.getByLabel(/Type the password again/).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your new password is saved' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('robin');
    await shot(page, '02-done');
    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await page.getByLabel(/Email or username/).fill('robin');
    await page.getByLabel(/^Password/).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${b.origin}/`);
    expect(await page.locator('.facts').innerText()).toContain('robin');
    await page.close();
  });
});
