import { IMPORT_COLUMNS } from './columns.js';
import type { MatchedRow } from './match-member.js';
import type { ReasonClause } from './row-rules.js';

const LINES_SHOWN = 5;

const IDENTITIES = [
  { label: IMPORT_COLUMNS.email, keys: 'same', of: (row: MatchedRow) => row.values.emailNormalized },
  { label: IMPORT_COLUMNS.employeeId, keys: 'same', of: (row: MatchedRow) => row.values.employeeId },
  { label: 'existing member', keys: 'sameMember', of: (row: MatchedRow) => row.member?.id },
] as const;

function listed(lines: number[]): string {
  const shown = lines.slice(0, LINES_SHOWN).join(', ') + (lines.length > LINES_SHOWN ? ` and ${lines.length - LINES_SHOWN} more` : '');
  return `line${lines.length > 1 ? 's' : ''} ${shown}`;
}

/** The same clause for the catalogues (`admin.import.rows.same*`): the lines shown, and how many more there are. */
function clause(lines: number[], keys: string, column: string): ReasonClause {
  const more = lines.length - LINES_SHOWN;
  const form = lines.length === 1 ? 'Line' : more > 0 ? 'LinesMore' : 'Lines';
  return { key: `admin.import.rows.${keys}${form}`, params: { lines: lines.slice(0, LINES_SHOWN).join(', '), more, column } };
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
    const translated: ReasonClause[] = [];
    IDENTITIES.forEach(({ label, keys, of }, index) => {
      const key = of(row);
      const lines = (key ? linesOf[index]!.get(key)! : []).filter((line) => !named.has(line));
      if (!lines.length) return;
      lines.forEach((line) => named.add(line));
      clauses.push(`${listed(lines)} (same ${label})`);
      translated.push(clause(lines, keys, label));
    });
    if (clauses.length) {
      row.problems.push({ kind: 'invalid', message: `the same member is also on ${clauses.join(' and ')}`, key: 'admin.import.rows.duplicate', clauses: translated });
    }
  }
}
