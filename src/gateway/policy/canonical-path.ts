/** Characters whose presence means a path needs more than lower-casing to reach its canonical form. */
const NEEDS_WORK = /[%\\;]|\/\/|\/\.(?:\/|\.|$)/;

/**
 * The one spelling of a path that route matching compares, so that every spelling an upstream might read as the same
 * resource gets the same decision: percent-escapes decoded (an encoded slash is a slash), backslashes read as
 * slashes, `;` parameters cut from each segment (servlet containers ignore them), repeated slashes merged, dot
 * segments resolved, a trailing slash dropped, letters lower-cased (case-insensitive servers exist). An undecodable escape is kept as written.
 * The request itself is not changed: the upstream receives the target as the client wrote it (after URL parsing).
 */
export function canonicalPath(path: string): string {
  if (!NEEDS_WORK.test(path)) return path.toLowerCase();
  let decoded = path;
  // Decoding twice is how `%252e` would become a dot; once is what an upstream does, so once is what counts here.
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path.replace(/%[0-9a-f]{2}/gi, (escape) => {
      try {
        return decodeURIComponent(escape);
      } catch {
        return escape;
      }
    });
  }
  const out: string[] = [];
  for (const raw of decoded.replace(/\\/g, '/').split('/')) {
    const semicolon = raw.indexOf(';');
    const segment = semicolon === -1 ? raw : raw.slice(0, semicolon);
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`.toLowerCase();
}
