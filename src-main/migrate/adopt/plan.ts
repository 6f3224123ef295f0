import { FOREIGN_CHECKSUM_PREFIX } from '../status.js'
import type { Adapter } from '../../db/adapter.js'
import type { MigratorSettings } from '../engine.js'
import { canonicalVersion, readMigrations } from '../formats/index.js'
import { HistoryStore } from '../history.js'
import type { HistoryRow, Migration } from '../model.js'
import { prepareScript } from '../runner.js'
import { compareVersions } from '../version.js'
import { resolveSource } from './detect.js'
import type { AdoptFrom, AdoptionEntry, AdoptionPlan, ForeignEntry, ForeignHistory, SourceTool } from './types.js'

/** Checksum recorded for a row whose file is not in the folder (status shows it as a missing file). */
export const UNKNOWN_CHECKSUM = 'unknown'

/** The plan plus the Migr8 rows it would write (kept out of the plan, which crosses IPC as plain data). */
export interface PreparedAdoption {
  plan: AdoptionPlan
  rows: HistoryRow[]
}

/** How many statements the up script has, for the "statement 0 of N" of a stopped migration. */
function statementCount(adapter: Adapter, migration: Migration): number {
  try {
    return prepareScript(adapter, migration, 'up', process.env).statements.length
  } catch {
    return adapter.splitScript(migration.up.sql).length
  }
}

/**
 * Joins today's files, the other tool's history and Migr8's own history into the preview and the
 * rows to import. Pure apart from counting statements, so the dry run and the real run agree.
 */
export function buildPlan(
  adapter: Adapter,
  input: {
    tool: SourceTool
    table: string
    dir: string
    migrations: Migration[]
    foreign: ForeignHistory
    existing: Map<string, HistoryRow>
    force?: boolean
  },
): PreparedAdoption {
  const { tool, table, dir, migrations, foreign, existing } = input
  const files = new Map(migrations.map((m) => [canonicalVersion(m.version), m]))
  const recorded = new Map<string, ForeignEntry>(foreign.entries.map((e) => [canonicalVersion(e.version), e]))
  const existingKeys = new Set([...existing.keys()].map(canonicalVersion))
  const keys = [...new Set([...files.keys(), ...recorded.keys()])].sort(compareVersions)
  const newestApplied = [...recorded.values()]
    .filter((e) => e.state === 'applied')
    .map((e) => e.version)
    .sort(compareVersions)
    .pop()

  const entries: AdoptionEntry[] = []
  const rows: HistoryRow[] = []
  const now = new Date()
  for (const key of keys) {
    const migration = files.get(key)
    const row = recorded.get(key)
    const version = migration?.version ?? row!.version
    const name = migration?.name ?? row?.name ?? 'unknown'
    if (!row) {
      entries.push({
        version,
        name,
        state: 'pending',
        hasFile: true,
        file: migration!.up.file,
        ...(newestApplied !== undefined && compareVersions(version, newestApplied) < 0 ? { outOfOrder: true } : {}),
        action: 'none',
      })
      continue
    }
    const keep = existingKeys.has(key)
    entries.push({
      version,
      sourceVersion: row.version,
      name,
      state: row.state === 'stopped' ? 'stopped' : migration ? 'applied' : 'missing_file',
      hasFile: !!migration,
      ...(migration ? { file: migration.up.file } : {}),
      ...(row.appliedAt ? { appliedAt: row.appliedAt.toISOString() } : {}),
      ...(row.note ? { note: row.note } : {}),
      action: keep ? 'keep_existing' : 'import',
    })
    if (keep) continue
    const stopped = row.state === 'stopped'
    rows.push({
      version,
      name,
      // node-pg-migrate's migrations are JavaScript: recorded as applied by a foreign tool, not as lost files.
      checksum:
        migration?.checksum ?? (tool === 'node-pg-migrate' ? `${FOREIGN_CHECKSUM_PREFIX}${tool}` : UNKNOWN_CHECKSUM),
      state: stopped ? 'partial' : 'applied',
      appliedAt: row.appliedAt ?? now,
      executionMs: row.executionMs ?? 0,
      appliedBy: row.appliedBy ?? tool,
      statementsDone: 0,
      statementsTotal: stopped && migration ? statementCount(adapter, migration) : 0,
      statementHashes: [],
      ...(stopped ? { error: row.note ?? `stopped in ${tool}` } : {}),
    })
  }

  const warnings = [...foreign.warnings]
  if (existing.size > 0 && !input.force)
    warnings.push(
      `Migr8's history already has ${existing.size} row(s): adopt refuses to run unless --force, which imports only the versions Migr8 does not have.`,
    )
  const late = entries.filter((e) => e.outOfOrder)
  if (late.length > 0)
    warnings.push(
      `Files ${tool} never applied but older than its newest applied migration: ${late.map((e) => e.version).join(', ')}. \`migr8 migrate up\` refuses them unless --out-of-order allow.`,
    )

  const plan: AdoptionPlan = {
    from: tool,
    table,
    dir,
    entries,
    applied: entries.filter((e) => e.state === 'applied' || e.state === 'missing_file').map((e) => e.version),
    stopped: entries
      .filter((e) => e.state === 'stopped')
      .map((e) => ({ version: e.version, name: e.name, reason: e.note ?? `stopped in ${tool}` })),
    filesWithoutRow: entries
      .filter((e) => e.state === 'pending')
      .map((e) => ({ version: e.version, name: e.name, file: e.file! })),
    rowsWithoutFile: entries.filter((e) => !e.hasFile).map((e) => ({ version: e.version, name: e.name })),
    existingMigr8Rows: existing.size,
    toImport: rows.length,
    warnings,
  }
  return { plan, rows }
}

/** Reads the other tool's history and the files; the `history` map is Migr8's (empty when it has none). */
export async function prepareAdoption(
  adapter: Adapter,
  settings: MigratorSettings,
  options: { from?: AdoptFrom; table?: string; force?: boolean; history?: Map<string, HistoryRow> },
): Promise<PreparedAdoption> {
  const migrations = readMigrations(settings.dir)
  const { source, table } = await resolveSource(adapter, options.from ?? 'auto', options.table)
  const foreign = await source.read(adapter, { table, dir: settings.dir, migrations })
  let existing = options.history
  if (!existing) {
    const store = new HistoryStore(adapter, settings.table)
    existing = (await store.exists()) ? await store.load() : new Map()
  }
  return buildPlan(adapter, {
    tool: source.tool,
    table,
    dir: settings.dir,
    migrations,
    foreign,
    existing,
    force: options.force,
  })
}

/**
 * The preview: what the other tool recorded, joined with today's files. Read-only (creates no
 * table, takes no lock), so the app can show it before the user confirms.
 */
export async function planAdoption(
  adapter: Adapter,
  settings: MigratorSettings,
  from: AdoptFrom = 'auto',
  options: { table?: string; force?: boolean } = {},
): Promise<AdoptionPlan> {
  return (await prepareAdoption(adapter, settings, { from, ...options })).plan
}
