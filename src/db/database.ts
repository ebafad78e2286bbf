import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import type { Config } from '../config/schema.js';
import type { Engine } from './column-types.js';
import type { Dialect } from './dialect.js';
import { entities, type Entities } from './entities.js';
import { postgresDialect } from './postgres-dialect.js';
import { SerialQueue } from './serial-queue.js';
import { sqliteDialect } from './sqlite-dialect.js';

export interface Database {
  readonly engine: Engine;
  /** What differs between the engines, for the features: they never ask for `engine`. */
  readonly dialect: Dialect;
  readonly source: DataSource;
  readonly entities: Entities;
  /** Runs `work` in one transaction. Every write goes through here. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Runs `effect` once the transaction of `manager` has committed (never if it rolls back). */
  afterCommit(manager: EntityManager, effect: () => void): void;
  close(): Promise<void>;
}

export function embeddedDatabasePath(config: Config): string {
  return join(resolve(config.dataDir), 'claimgate.sqlite');
}

/** The one DataSource shared by the server and the CLI: PostgreSQL when configured, otherwise SQLite under the data folder. */
export function createDataSource(config: Config): { source: DataSource; engine: Engine; entities: Entities } {
  const engine: Engine = config.database.url ? 'postgres' : 'better-sqlite3';
  const schema = entities(engine);
  const common = { entities: Object.values(schema), migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  if (engine === 'postgres') {
    return { engine, entities: schema, source: new DataSource({ ...common, type: 'postgres', url: config.database.url, extra: { max: 10 } }) };
  }
  mkdirSync(resolve(config.dataDir), { recursive: true });
  return {
    engine,
    entities: schema,
    source: new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: embeddedDatabasePath(config),
      prepareDatabase: (db: { pragma(statement: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
      },
    }),
  };
}

/** Arbitrary, fixed: the advisory lock every claimgate process takes while it migrates one PostgreSQL database. */
const MIGRATION_LOCK = 7_263_514_209;

/** Replicas starting together on PostgreSQL migrate one at a time; the later ones find nothing left to do. */
async function migrate(source: DataSource, engine: Engine): Promise<void> {
  if (engine !== 'postgres') {
    await source.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = source.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await source.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

export async function openDatabase(config: Config, options: { migrate: boolean } = { migrate: true }): Promise<Database> {
  const { source, engine, entities: schema } = createDataSource(config);
  await source.initialize();
  if (options.migrate) await migrate(source, engine);
  // SQLite has one connection: two interleaved transactions would share it, so they take turns.
  const queue = engine === 'better-sqlite3' ? new SerialQueue() : undefined;
  const pending = new WeakMap<EntityManager, Array<() => void>>();
  const inTransaction = async <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => {
    let effects: Array<() => void> = [];
    const result = await source.transaction(async (manager) => {
      effects = [];
      pending.set(manager, effects);
      return work(manager);
    });
    for (const effect of effects) effect();
    return result;
  };
  return {
    engine,
    dialect: engine === 'postgres' ? postgresDialect(source) : sqliteDialect(source),
    source,
    entities: schema,
    transaction: (work) => (queue ? queue.run(() => inTransaction(work)) : inTransaction(work)),
    afterCommit: (manager, effect) => {
      const effects = pending.get(manager);
      if (effects) effects.push(effect);
      else effect();
    },
    close: () => source.destroy(),
  };
}
