import { Migr8Error } from '../../../src-shared/errors.js'
import { canonicalVersion } from '../formats/index.js'
import { compareVersions } from '../version.js'
import type { ForeignEntry, HistorySource } from './types.js'
import { countRows, truthy } from './values.js'

/**
 * golang-migrate keeps one row: the current version and whether the run that set it stopped part-way.
 * Its drivers create `schema_migrations (version bigint not null primary key, dirty boolean not null)`
 * (database/postgres/postgres.go and database/mysql/mysql.go, ensureVersionTable) or, on SQLite,
 * `(version uint64, dirty bool)` with a unique index (database/sqlite3/sqlite3.go), and SetVersion
 * empties the table then inserts `(version, dirty)`. Every file up to that version is applied; the
 * version itself is applied, or stopped when dirty.
 */
export const golangMigrate: HistorySource = {
  tool: 'golang-migrate',
  defaultTable: 'schema_migrations',
  matches: (columns) => columns.includes('version') && columns.includes('dirty'),

  async summarise(adapter, table) {
    const rows = await adapter.query(`SELECT version, dirty FROM ${adapter.qualifiedTable(table)}`)
    if (rows.length === 0) return { rows: 0, summary: 'no version recorded' }
    const { version, dirty } = rows[0]
    return {
      rows: await countRows(adapter, table),
      summary: `version ${String(version)}${truthy(dirty) ? ', dirty' : ''}`,
    }
  },

  async read(adapter, { table, migrations }) {
    const rows = await adapter.query(`SELECT version, dirty FROM ${adapter.qualifiedTable(table)}`)
    if (rows.length === 0) return { entries: [], warnings: [] }
    if (rows.length > 1) {
      throw new Migr8Error(
        'QUERY_FAILED',
        `${table} has ${rows.length} rows; golang-migrate keeps exactly one (the current version).`,
        'Check the table by hand: golang-migrate itself would read only one of these rows.',
        { table, rows: rows.length },
      )
    }
    const version = canonicalVersion(String(rows[0].version))
    const dirty = truthy(rows[0].dirty)
    if (version === '-1') {
      // SetVersion(NilVersion, dirty=true): the down run of the first migration stopped part-way.
      return {
        entries: [],
        warnings: [
          'golang-migrate is dirty at no version: rolling back the first migration stopped part-way. Nothing is imported as applied; check its tables by hand, then run `migr8 migrate up` or `migrate mark-applied`.',
        ],
      }
    }
    const entries: ForeignEntry[] = migrations
      .filter((m) => compareVersions(canonicalVersion(m.version), version) < 0)
      .map((m) => ({
        version: canonicalVersion(m.version),
        state: 'applied',
        note: `below the current golang-migrate version ${version} (golang-migrate records no times)`,
      }))
    entries.push(
      dirty
        ? { version, state: 'stopped', note: 'dirty in golang-migrate' }
        : { version, state: 'applied', note: 'the current golang-migrate version' },
    )
    return { entries, warnings: [] }
  },
}
