/** A LIKE pattern matching `text` anywhere, with the wildcards in `text` escaped (use with `ESCAPE '\'`). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** A LIKE pattern matching text that starts with `prefix`, with the wildcards in it escaped (use with `ESCAPE '\\'`). */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
