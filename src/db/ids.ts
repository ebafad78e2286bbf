/** Row ids are UUIDs (randomUUID): anything else in a path or a form names no row, and is answered without a query. */
export function isRowId(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

const BIGINT_MAX = 2n ** 63n - 1n;

/** A keyset cursor over an auto-increment id (audit rows, deliveries): digits within PostgreSQL's bigint. */
export function isSequenceCursor(value: string): boolean {
  return /^\d{1,19}$/.test(value) && BigInt(value) <= BIGINT_MAX;
}
