import type { HistoryRow, MigrationStatus, StatusEntry } from './model.js'
import { canonicalVersion, type MigrationSummary } from './formats/index.js'
import { compareVersions } from './version.js'

/** Checksum of a row adopted from a tool whose migrations Migr8 cannot read (node-pg-migrate's JavaScript). */
export const FOREIGN_CHECKSUM_PREFIX = 'foreign:'

/**
 * Joins the files and the history into one list, oldest first: linear in the number of
 * migrations, with the history already loaded in one query.
 */
export function computeStatus(
  migrations: MigrationSummary[],
  history: Map<string, HistoryRow>,
  failures: Map<string, string>,
): MigrationStatus {
  // Each row's canonical version is computed once: it joins rows to files, then finds rows without one.
  const rows = [...history.values()]
  const rowKeys = rows.map((row) => canonicalVersion(row.version))
  const rowsByVersion = new Map<string, HistoryRow>()
  let newestApplied: string | undefined
  for (const [index, row] of rows.entries()) {
    rowsByVersion.set(rowKeys[index], row)
    // `>=`: of equal versions the last row wins, as it did when the applied versions were sorted.
    if (row.state === 'applied' && (newestApplied === undefined || compareVersions(row.version, newestApplied) >= 0))
      newestApplied = row.version
  }
  const entries: StatusEntry[] = []
  const seen = new Set<string>()

  // Each entry is built as one object literal: spreading into literals made every entry a slow
  // dictionary-mode object, which was most of the time of `status` with 10,000 migrations.
  for (const migration of migrations) {
    const key = canonicalVersion(migration.version)
    seen.add(key)
    const row = rowsByVersion.get(key)
    if (!row) {
      const outOfOrder = newestApplied !== undefined && compareVersions(migration.version, newestApplied) < 0
      entries.push({
        version: migration.version,
        name: migration.name,
        file: migration.up.file,
        hasDown: !!migration.down,
        state: outOfOrder ? 'out_of_order' : 'pending',
        error: failures.get(migration.version),
        checksum: { current: migration.checksum },
      })
      continue
    }
    const state =
      row.state === 'applied' ? (row.checksum === migration.checksum ? 'applied' : 'checksum_drift') : row.state
    entries.push(
      recordedEntry(row, migration.name, state, { recorded: row.checksum, current: migration.checksum }, migration),
    )
  }
  for (const [index, row] of rows.entries()) {
    if (seen.has(rowKeys[index])) continue
    const foreign = row.checksum.startsWith(FOREIGN_CHECKSUM_PREFIX)
    const state = row.state === 'applied' ? (foreign ? 'applied' : 'missing_file') : row.state
    entries.push(recordedEntry(row, row.name, state, { recorded: row.checksum }))
  }
  // The files come sorted by version: only rows without a file (rare) need the list sorted again.
  if (entries.length > migrations.length) entries.sort((a, b) => compareVersions(a.version, b.version))

  return {
    current: newestApplied,
    entries,
    pending: entries.filter((e) => e.state === 'pending' || e.state === 'out_of_order').length,
    problems: describeProblems(entries),
  }
}

/** An entry with a history row, with or without its file. */
function recordedEntry(
  row: HistoryRow,
  name: string,
  state: StatusEntry['state'],
  checksum: NonNullable<StatusEntry['checksum']>,
  migration?: MigrationSummary,
): StatusEntry {
  return {
    version: row.version,
    name,
    file: migration?.up.file,
    hasDown: !!migration?.down,
    state,
    appliedAt: row.appliedAt.toISOString(),
    executionMs: row.executionMs,
    appliedBy: row.appliedBy,
    statements: { done: row.statementsDone, total: row.statementsTotal },
    error: row.error,
    checksum,
  }
}

function describeProblems(entries: StatusEntry[]): string[] {
  const problems: string[] = []
  for (const entry of entries) {
    const state = entry.state
    // Most entries are fine: their name is built only for a problem.
    if (state === 'applied' || state === 'pending') continue
    const id = `${entry.version}_${entry.name}`
    if (state === 'checksum_drift') problems.push(`${id}: the file changed after it was applied (checksum drift)`)
    if (state === 'missing_file') problems.push(`${id}: applied, but its file is missing`)
    if (state === 'partial' || state === 'partial_down') {
      problems.push(
        `${id}: stopped after statement ${entry.statements?.done} of ${entry.statements?.total}${entry.error ? ` (${entry.error})` : ''}`,
      )
    }
    if (state === 'out_of_order')
      problems.push(`${id}: pending, but older than the newest applied migration (out of order)`)
  }
  return problems
}
