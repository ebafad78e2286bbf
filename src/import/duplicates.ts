import { IMPORT_COLUMNS } from './columns.js';
import type { MatchedRow } from './match-member.js';

const LINES_SHOWN = 5;

const IDENTITIES = [
  { label: IMPORT_COLUMNS.email, of: (row: MatchedRow) => row.values.emailNormalized },
  { label: IMPORT_COLUMNS.employeeId, of: (row: MatchedRow) => row.values.employeeId },
  { label: 'existing member', of: (row: MatchedRow) => row.member?.id },
] as const;

function listed(lines: number[]): string {
  const shown = lines.slice(0, LINES_SHOWN).join(', ') + (lines.length > LINES_SHOWN ? ` and ${lines.length - LINES_SHOWN} more` : '');
  return `line${lines.length > 1 ? 's' : ''} ${shown}`;
}

/**
 * Refuses every row that is about the same member as another row of the file (same email, same employee ID, or the
 * same existing member reached through different identifiers): the file does not say which of them is meant.
 */
export function markDuplicates(rows: MatchedRow[]): void {
  const linesOf = IDENTITIES.map(({ of }) => {
    const lines = new Map<string, number[]>();
    for (const row of rows) {
      const key = of(row);
      if (!key) continue;
      const seen = lines.get(key);
      if (seen) seen.push(row.line);
      else lines.set(key, [row.line]);
    }
    return lines;
  });
  for (const row of rows) {
    const named = new Set<number>([row.line]);
    const clauses: string[] = [];
    IDENTITIES.forEach(({ label, of }, index) => {
      const key = of(row);
      const lines = (key ? linesOf[index]!.get(key)! : []).filter((line) => !named.has(line));
      if (!lines.length) return;
      lines.forEach((line) => named.add(line));
      clauses.push(`${listed(lines)} (same ${label})`);
    });
    if (clauses.length) row.problems.push({ kind: 'invalid', message: `the same member is also on ${clauses.join(' and ')}` });
  }
}
