import Bowser from 'bowser';

/** "Firefox 128 on Windows", from a user agent; what a member recognises a session by. */
export function browserName(userAgent: string): string {
  if (!userAgent) return 'Unknown browser';
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  const os = [parsed.os.name, parsed.os.versionName ?? ''].filter(Boolean).join(' ');
  if (!browser && !os) return 'Unknown browser';
  return os ? `${browser || 'Unknown browser'} on ${os}` : browser;
}
