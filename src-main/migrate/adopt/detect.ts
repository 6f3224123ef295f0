import { Migr8Error } from '../../../src-shared/errors.js'
import type { Adapter } from '../../db/adapter.js'
import { dbmate } from './dbmate.js'
import { flyway } from './flyway.js'
import { golangMigrate } from './golang-migrate.js'
import { goose } from './goose.js'
import { nodePgMigrate } from './node-pg-migrate.js'
import type { AdoptFrom, Detection, HistorySource, SourceTool } from './types.js'
import { columnsOf } from './values.js'

export const SOURCES: Record<SourceTool, HistorySource> = {
  'golang-migrate': golangMigrate,
  goose,
  dbmate,
  flyway,
  'node-pg-migrate': nodePgMigrate,
}

/**
 * Looks for every known tool's history table under its default name. Read-only: nothing is
 * created, so it is safe on any profile (the app calls it to decide whether to offer "Adopt").
 */
export async function detectForeignHistory(adapter: Adapter): Promise<Detection[]> {
  const columnsByTable = new Map<string, Promise<string[] | undefined>>()
  const found: Detection[] = []
  for (const source of Object.values(SOURCES)) {
    const table = source.defaultTable
    if (!columnsByTable.has(table)) columnsByTable.set(table, columnsOf(adapter, table))
    const columns = await columnsByTable.get(table)
    if (!columns || !source.matches(columns)) continue
    found.push({ tool: source.tool, table, ...(await source.summarise(adapter, table)) })
  }
  return found
}

/** Picks the source to adopt from: the one named, or the one table detected with `auto`. */
export async function resolveSource(
  adapter: Adapter,
  from: AdoptFrom,
  table?: string,
): Promise<{ source: HistorySource; table: string }> {
  if (from !== 'auto') {
    const source = SOURCES[from]
    const name = table ?? source.defaultTable
    const columns = await columnsOf(adapter, name)
    if (!columns)
      throw new Migr8Error(
        'TABLE_MISSING',
        `No ${from} history table "${name}" in this database.`,
        `Check the database of this profile, or name the table with --table if ${from} was configured to use another one.`,
        { tool: from, table: name },
      )
    if (!source.matches(columns))
      throw new Migr8Error(
        'BAD_USAGE',
        `The table "${name}" is not a ${from} history table (its columns are ${columns.join(', ')}).`,
        'Run `migr8 adopt --dry-run` without --from to see which tool wrote it.',
        { tool: from, table: name, columns },
      )
    return { source, table: name }
  }
  let candidates: Array<{ source: HistorySource; table: string }>
  if (table) {
    const columns = await columnsOf(adapter, table)
    candidates = columns
      ? Object.values(SOURCES)
          .filter((s) => s.matches(columns))
          .map((source) => ({ source, table }))
      : []
  } else {
    candidates = (await detectForeignHistory(adapter)).map((d) => ({ source: SOURCES[d.tool], table: d.table }))
  }
  if (candidates.length === 0)
    throw new Migr8Error(
      'NOT_FOUND',
      table
        ? `The table "${table}" is not a history table of golang-migrate, goose, dbmate, Flyway or node-pg-migrate.`
        : 'No history table of golang-migrate, goose, dbmate, Flyway or node-pg-migrate was found in this database.',
      'Check the profile points at the migrated database; if the tool used another table name, pass --from TOOL --table NAME.',
    )
  if (candidates.length > 1)
    throw new Migr8Error(
      'BAD_USAGE',
      `Several tools' history tables are in this database: ${candidates.map((c) => `${c.source.tool} (${c.table})`).join(', ')}.`,
      'Say which one to adopt with --from TOOL.',
      { tools: candidates.map((c) => c.source.tool) },
    )
  return candidates[0]
}
