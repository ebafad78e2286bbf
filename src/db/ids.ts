/** Row ids are UUIDs (randomUUID): anything else in a path or a form names no row, and is answered without a query. */
export function isRowId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
