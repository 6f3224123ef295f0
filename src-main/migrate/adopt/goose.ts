import type { ForeignEntry, HistorySource } from './types.js'
import { countRows, toDate, truthy } from './values.js'

/**
 * goose keeps a log: `goose_db_version (id serial, version_id bigint, is_applied boolean, tstamp
 * timestamp default now())` (internal/dialect/dialectquery/{postgres,mysql,sqlite3}.go CreateTable),
 * with a `(0, true)` row written when the table is created. Up inserts `(version, true)`; down
 * deletes the version's rows (goose v3) or, in older goose, inserts `(version, false)`. As goose's
 * ListMigrations does, the newest row of a version (highest id) decides its state.
 */
export const goose: HistorySource = {
  tool: 'goose',
  defaultTable: 'goose_db_version',
  matches: (columns) => columns.includes('version_id') && columns.includes('is_applied'),

  async summarise(adapter, table) {
    const { entries } = await goose.read(adapter, { table, dir: '', migrations: [] })
    return { rows: await countRows(adapter, table), summary: `${entries.length} migration(s) applied` }
  },

  async read(adapter, { table }) {
    const rows = await adapter.query(
      `SELECT version_id, is_applied, tstamp FROM ${adapter.qualifiedTable(table)} ORDER BY id DESC`,
    )
    const seen = new Set<string>()
    const entries: ForeignEntry[] = []
    for (const row of rows) {
      const version = String(row.version_id)
      if (version === '0' || seen.has(version)) continue
      seen.add(version)
      if (!truthy(row.is_applied)) continue
      entries.push({ version, state: 'applied', appliedAt: toDate(row.tstamp) })
    }
    return { entries: entries.reverse(), warnings: [] }
  },
}
