import { canonicalVersion } from '../formats/index.js'
import { compareVersions } from '../version.js'
import type { ForeignEntry, HistorySource } from './types.js'
import { countRows, toDate, truthy } from './values.js'

/**
 * Flyway's `flyway_schema_history (installed_rank INT primary key, version VARCHAR(50), description
 * VARCHAR(200), type VARCHAR(20), script VARCHAR(1000), checksum INT, installed_by VARCHAR(100),
 * installed_on TIMESTAMP default now, execution_time INT, success BOOLEAN)` — the same on
 * PostgreSQL, MySQL (`BOOL`, `ENGINE=InnoDB`) and SQLite (installed_on TEXT from strftime)
 * (flyway-core/src/main/resources/org/flywaydb/core/internal/database/{postgresql,mysql,sqlite}/
 * createMetaDataTable.sql). Rows are appended in installed_rank order: `SQL`/`JDBC` for versioned
 * runs (success false when a run failed and could not be rolled back), `BASELINE` for
 * `flyway baseline`, `UNDO_SQL` for `flyway undo`, `DELETE` for rows `flyway repair` retired, a
 * NULL version for repeatable `R__` scripts and the `SCHEMA` row for schemas Flyway created.
 */
export const flyway: HistorySource = {
  tool: 'flyway',
  defaultTable: 'flyway_schema_history',
  matches: (columns) => columns.includes('installed_rank') && columns.includes('success'),

  async summarise(adapter, table) {
    const { entries } = await flyway.read(adapter, { table, dir: '', migrations: [] })
    const failed = entries.filter((e) => e.state === 'stopped').length
    return {
      rows: await countRows(adapter, table),
      summary: `${entries.length - failed} migration(s) applied${failed ? `, ${failed} failed` : ''}`,
    }
  },

  async read(adapter, { table, migrations }) {
    const rows = await adapter.query(
      `SELECT installed_rank, version, description, type, installed_by, installed_on, execution_time, success
         FROM ${adapter.qualifiedTable(table)} ORDER BY installed_rank`,
    )
    const byVersion = new Map<string, ForeignEntry>()
    const warnings: string[] = []
    let repeatables = 0
    let baseline: ForeignEntry | undefined
    for (const row of rows) {
      const type = String(row.type ?? '').toUpperCase()
      if (type === 'SCHEMA') continue
      if (row.version == null || String(row.version) === '') {
        repeatables++
        continue
      }
      const version = String(row.version)
      const key = canonicalVersion(version)
      const success = truthy(row.success)
      if (type.startsWith('UNDO')) {
        if (success) byVersion.delete(key)
        else
          warnings.push(
            `Flyway undo of ${version} failed (installed_rank ${String(row.installed_rank)}); it is taken as still applied.`,
          )
        continue
      }
      if (type === 'DELETE') {
        byVersion.delete(key)
        continue
      }
      const entry: ForeignEntry = {
        version,
        name: row.description == null ? undefined : String(row.description),
        state: success ? 'applied' : 'stopped',
        appliedAt: toDate(row.installed_on),
        executionMs: row.execution_time == null ? undefined : Number(row.execution_time),
        appliedBy: row.installed_by == null ? undefined : String(row.installed_by),
        note: success ? (type.includes('BASELINE') ? 'the Flyway baseline' : undefined) : 'failed in Flyway',
      }
      byVersion.set(key, entry)
      if (type.includes('BASELINE') && success) baseline = entry
    }
    if (repeatables > 0)
      warnings.push(
        `${repeatables} Flyway repeatable (R__) row(s) are not imported: Migr8 runs versioned migrations only.`,
      )
    if (baseline) {
      // Flyway ignores the files at or below its baseline: they are part of the schema it started from.
      const base = baseline
      for (const migration of migrations) {
        const key = canonicalVersion(migration.version)
        if (byVersion.has(key) || compareVersions(migration.version, base.version) > 0) continue
        byVersion.set(key, {
          version: migration.version,
          state: 'applied',
          appliedAt: base.appliedAt,
          appliedBy: base.appliedBy,
          note: `below the Flyway baseline ${base.version}`,
        })
      }
    }
    const entries = [...byVersion.values()].sort((a, b) => compareVersions(a.version, b.version))
    return { entries, warnings }
  },
}
