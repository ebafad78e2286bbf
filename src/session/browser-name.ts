import Bowser from 'bowser';

/** The browser ("Firefox 128") and system ("Windows") a user agent names; either may be empty. */
export function browserParts(userAgent: string): { browser: string; os: string } {
  if (!userAgent) return { browser: '', os: '' };
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  const os = [parsed.os.name, parsed.os.versionName ?? ''].filter(Boolean).join(' ');
  return { browser, os };
}

/** "Firefox 128 on Windows", from a user agent; what a member recognises a session by. */
export function browserName(userAgent: string): string {
  const { browser, os } = browserParts(userAgent);
  if (!browser && !os) return 'Unknown browser';
  return os ? `${browser || 'Unknown browser'} on ${os}` : browser;
}
