/** The people search: part of an email, name, employee ID or username, without case. Bind `:pattern` to containsPattern(text). */
export function memberSearchClause(alias: string): string {
  const columns = [`${alias}.email_normalized`, `LOWER(${alias}.name)`, `LOWER(${alias}.employee_id)`, `${alias}.username_normalized`];
  return `(${columns.map((column) => `${column} LIKE :pattern ESCAPE '\\'`).join(' OR ')})`;
}
