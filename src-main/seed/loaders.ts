import type { Adapter, ColumnInfo } from '../db/adapter.js'
import type { SeedLoader } from './loader.js'

export interface LoaderOptions {
  /** MySQL: use multi-row INSERTs even when the server allows LOAD DATA LOCAL INFILE (tests, odd proxies). */
  forceInsert?: boolean
  /** Always parse CSV files, never send their bytes as they are (benchmarks, odd files). */
  noPassthrough?: boolean
  /** PostgreSQL: never load rows in binary COPY format, only as text (tests of that path, benchmarks). */
  noBinary?: boolean
}

// Each dialect's module is imported when first needed: its driver extras (mysql2 is ~100 modules,
// pg-copy-streams) would otherwise load on every seed command, whatever the profile's database.

/** The one place the seed engine picks a dialect: its bulk-load path. */
export async function loaderFor(adapter: Adapter, options: LoaderOptions = {}): Promise<SeedLoader> {
  switch (adapter.dialect) {
    case 'postgres':
      return new (await import('./postgres.js')).PostgresLoader(adapter)
    case 'mysql':
      return new (await import('./mysql.js')).MysqlLoader(adapter, options)
    case 'sqlite':
      return new (await import('./sqlite.js')).SqliteLoader(adapter)
  }
}

export type RowExporter = (
  adapter: Adapter,
  sql: string,
  onBatch: (rows: Record<string, unknown>[]) => Promise<void>,
  signal?: AbortSignal,
) => Promise<void>

export async function exporterFor(adapter: Adapter): Promise<RowExporter> {
  switch (adapter.dialect) {
    case 'postgres':
      return (await import('./postgres.js')).exportPostgresRows
    case 'mysql':
      return (await import('./mysql.js')).exportMysqlRows
    case 'sqlite':
      return (await import('./sqlite.js')).exportSqliteRows
  }
}

/** A table's columns as the seed engine needs them (undefined when the table does not exist). */
export async function describeForSeed(adapter: Adapter, table: string): Promise<ColumnInfo[] | undefined> {
  const columns = await adapter.describeTable(table)
  if (!columns || adapter.dialect !== 'mysql') return columns
  return (await import('./mysql.js')).refineMysqlColumns(adapter, table, columns)
}
