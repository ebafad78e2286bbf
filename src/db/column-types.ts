export type Engine = 'postgres' | 'better-sqlite3';

/** The few column types that differ between the two engines; everything else uses portable names. */
export function columnTypes(engine: Engine) {
  return engine === 'postgres'
    ? { timestamp: 'timestamptz', binary: 'bytea', bigId: 'bigint' } as const
    : { timestamp: 'datetime', binary: 'blob', bigId: 'integer' } as const;
}
