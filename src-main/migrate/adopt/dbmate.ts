import type { HistorySource } from './types.js'
import { countRows } from './values.js'

/**
 * dbmate keeps one row per applied migration, version only: `create table if not exists
 * schema_migrations (version varchar(255) primary key)` on PostgreSQL, `varchar(128)` on MySQL and
 * SQLite (pkg/driver/{postgres,mysql,sqlite}, CreateMigrationsTable); InsertMigration adds the
 * version after a migration ran, DeleteMigration removes it on rollback. No times, no failed state.
 */
export const dbmate: HistorySource = {
  tool: 'dbmate',
  defaultTable: 'schema_migrations',
  matches: (columns) => columns.includes('version') && !columns.includes('dirty'),

  async summarise(adapter, table) {
    const rows = await countRows(adapter, table)
    return { rows, summary: `${rows} migration(s) applied` }
  },

  async read(adapter, { table }) {
    const rows = await adapter.query(`SELECT version FROM ${adapter.qualifiedTable(table)}`)
    return {
      entries: rows.map((row) => ({
        version: String(row.version),
        state: 'applied' as const,
        note: 'dbmate records no times',
      })),
      warnings: [],
    }
  },
}
