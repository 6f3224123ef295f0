import type { Adapter, ColumnInfo } from '../db/adapter.js'
import type { SeedLoader } from './loader.js'
import { MysqlLoader, exportMysqlRows, refineMysqlColumns } from './mysql.js'
import { PostgresLoader, exportPostgresRows } from './postgres.js'
import { SqliteLoader, exportSqliteRows } from './sqlite.js'

export interface LoaderOptions {
  /** MySQL: use multi-row INSERTs even when the server allows LOAD DATA LOCAL INFILE (tests, odd proxies). */
  forceInsert?: boolean
  /** Always parse CSV files, never send their bytes as they are (benchmarks, odd files). */
  noPassthrough?: boolean
}

/** The one place the seed engine picks a dialect: its bulk-load path. */
export function loaderFor(adapter: Adapter, options: LoaderOptions = {}): SeedLoader {
  switch (adapter.dialect) {
    case 'postgres':
      return new PostgresLoader(adapter)
    case 'mysql':
      return new MysqlLoader(adapter, options)
    case 'sqlite':
      return new SqliteLoader(adapter)
  }
}

export type RowExporter = (
  adapter: Adapter,
  sql: string,
  onBatch: (rows: Record<string, unknown>[]) => Promise<void>,
  signal?: AbortSignal,
) => Promise<void>

export function exporterFor(adapter: Adapter): RowExporter {
  switch (adapter.dialect) {
    case 'postgres':
      return exportPostgresRows
    case 'mysql':
      return exportMysqlRows
    case 'sqlite':
      return exportSqliteRows
  }
}

/** A table's columns as the seed engine needs them (undefined when the table does not exist). */
export async function describeForSeed(adapter: Adapter, table: string): Promise<ColumnInfo[] | undefined> {
  const columns = await adapter.describeTable(table)
  if (!columns || adapter.dialect !== 'mysql') return columns
  return refineMysqlColumns(adapter, table, columns)
}
