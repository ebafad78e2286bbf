import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing (apt-get install chromium)`);
if (!available) process.stderr.write(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)\n`);

/** Browser tests run wherever Debian's Chromium is installed; CI installs it, so there they always run. */
export const describeWithBrowser = available ? describe : describe.skip;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function serve(app: RequestListener, port = 0): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(app).listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Saves a full-page screenshot under test-output/browser/<folder>/<name>.png. */
export function screenshots(folder: string) {
  const dir = join('test-output', 'browser', folder);
  mkdirSync(dir, { recursive: true });
  return (page: Page, name: string) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export async function expectErrorSummary(page: Page, message: string): Promise<void> {
  const summary = page.getByRole('alert');
  await summary.waitFor();
  expect(await summary.innerText()).toContain(message);
}

/** A port that was free a moment ago, for servers that must know each other's address before they start. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => probe.once('listening', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface BrowserHarness {
  h: Harness;
  /** Where the browser reaches claimgate. */
  origin: string;
  browser: Browser;
  close(): Promise<void>;
}

/** claimgate on a loopback port (the given one, or any) and a headless Chromium to drive it. */
export async function startBrowserHarness(overrides: Record<string, unknown> = {}, options: { workers?: boolean; port?: number } = {}): Promise<BrowserHarness> {
  const h = await startHarness(overrides, { workers: options.workers });
  const server = await serve(h.app, options.port);
  const browser = await launchChromium();
  return {
    h, origin: server.origin, browser,
    async close() {
      await browser.close();
      await server.close();
      await h.close();
    },
  };
}
