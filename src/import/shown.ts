const LIMIT = 60;

/**
 * A cell value quoted for a report line: shortened, with control and bidirectional-override characters escaped,
 * so a crafted cell can neither drive the admin's terminal nor disguise the text around it.
 */
export function shown(value: string): string {
  const chars = [...value];
  const cut = chars.length > LIMIT ? `${chars.slice(0, LIMIT).join('')}…` : value;
  const escaped = cut.replace(/[\\"]/g, '\\$&').replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}
