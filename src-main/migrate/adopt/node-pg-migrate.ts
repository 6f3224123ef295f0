import { existsSync, readdirSync } from 'node:fs'
import type { ForeignEntry, HistorySource } from './types.js'
import { countRows, toDate } from './values.js'

/** node-pg-migrate names migrations `{timestamp}_{name}` (or `{n}_{name}`); the number is the Migr8 version. */
const NUMBERED = /^(\d+)[_-]?(.*)$/
/** Migration files node-pg-migrate runs and Migr8 does not. */
const SCRIPT_FILE = /^(\d+)[_-]?(.*)\.(js|cjs|mjs|ts|cts|mts)$/

/**
 * node-pg-migrate (PostgreSQL only) keeps `pgmigrations (id SERIAL PRIMARY KEY, name varchar(255)
 * NOT NULL, run_on timestamp NOT NULL)` (dist/legacy/runner.js, ensureMigrationsTable) and inserts
 * `(name, NOW())` with the file name without its extension after each migration ran
 * (dist/legacy/migration.js); down deletes the row. Its migrations are JavaScript/TypeScript, so
 * Migr8 imports their rows as applied but cannot run or roll them back.
 */
export const nodePgMigrate: HistorySource = {
  tool: 'node-pg-migrate',
  defaultTable: 'pgmigrations',
  matches: (columns) => columns.includes('name') && columns.includes('run_on'),

  async summarise(adapter, table) {
    const rows = await countRows(adapter, table)
    return { rows, summary: `${rows} migration(s) applied` }
  },

  async read(adapter, { table, dir }) {
    const rows = await adapter.query(`SELECT name, run_on FROM ${adapter.qualifiedTable(table)} ORDER BY id`)
    const entries: ForeignEntry[] = []
    const warnings: string[] = []
    const recorded = new Set<string>()
    for (const row of rows) {
      const name = String(row.name)
      const match = NUMBERED.exec(name)
      if (!match) {
        warnings.push(
          `node-pg-migrate row "${name}" has no numeric prefix, so it has no Migr8 version; it is not imported.`,
        )
        continue
      }
      recorded.add(match[1].replace(/^0+(?=\d)/, ''))
      entries.push({ version: match[1], name: match[2] || name, state: 'applied', appliedAt: toDate(row.run_on) })
    }
    const scripts = existsSync(dir) ? readdirSync(dir).filter((file) => SCRIPT_FILE.test(file)) : []
    if (scripts.length > 0 || entries.length > 0) {
      warnings.push(
        'node-pg-migrate migrations are JavaScript/TypeScript, which Migr8 does not run: their rows are imported as applied (shown as missing files, and they cannot be rolled back by Migr8). Write new migrations as SQL files (`migr8 migrate create NAME`).',
      )
    }
    const unapplied = scripts.filter((file) => !recorded.has(SCRIPT_FILE.exec(file)![1].replace(/^0+(?=\d)/, '')))
    if (unapplied.length > 0)
      warnings.push(
        `node-pg-migrate files never applied, which Migr8 cannot run: ${unapplied.join(', ')}. Apply them with node-pg-migrate first, or rewrite them as SQL.`,
      )
    return { entries, warnings }
  },
}
