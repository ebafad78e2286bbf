/**
 * The people search: part of an email, name, employee ID or username, without case. `pattern` is the SQL for the
 * LIKE pattern: by default the bound parameter `:pattern` (bind it to containsPattern(text)), or a quoted literal
 * where parameters cannot be used (inside COPY).
 */
export function memberSearchClause(alias: string, pattern = ':pattern'): string {
  const columns = [`${alias}.email_normalized`, `LOWER(${alias}.name)`, `LOWER(${alias}.employee_id)`, `${alias}.username_normalized`];
  return `(${columns.map((column) => `${column} LIKE ${pattern} ESCAPE '\\'`).join(' OR ')})`;
}
