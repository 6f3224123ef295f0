import { Migr8Error, throwIfAborted } from '../../../src-shared/errors.js'
import type { RunContext } from '../../../src-shared/progress.js'
import type { Adapter } from '../../db/adapter.js'
import type { MigratorSettings } from '../engine.js'
import { HistoryStore } from '../history.js'
import { acquireMigrationLock, actorName, migrationLockKey } from '../lock.js'
import { prepareAdoption } from './plan.js'
import type { AdoptionResult, AdoptOptions } from './types.js'

export { detectForeignHistory } from './detect.js'
export { planAdoption } from './plan.js'
export * from './types.js'

/**
 * Takes over another tool's history: under Migr8's migration lock, writes one Migr8 row per version
 * the tool recorded (applied, or `partial` for a dirty/failed one) with the tool's times where it
 * has them and checksums of today's files, plus an `adopted` journal event per version, all in one
 * transaction. The other tool's table is only read. Refuses when Migr8 already has history, unless
 * `force`, which imports just the versions Migr8 lacks.
 */
export async function adopt(
  adapter: Adapter,
  settings: MigratorSettings,
  options: AdoptOptions = {},
  ctx: RunContext = {},
): Promise<AdoptionResult> {
  if (options.dryRun) {
    const { plan } = await prepareAdoption(adapter, settings, options)
    return {
      plan,
      dryRun: true,
      imported: [],
      kept: plan.entries.filter((e) => e.action === 'keep_existing').map((e) => e.version),
    }
  }
  // Resolve the source before creating Migr8's tables, so a database without any other tool's history stays untouched.
  await prepareAdoption(adapter, settings, { ...options, history: new Map() })
  const history = new HistoryStore(adapter, settings.table)
  const lock = await acquireMigrationLock(
    adapter,
    history,
    {
      mode: settings.lock.mode,
      timeoutMs: settings.lock.timeout,
      leaseMs: settings.lock.lease,
      key: migrationLockKey(adapter, settings.table),
    },
    ctx,
  )
  try {
    const existing = await history.load()
    const { plan, rows } = await prepareAdoption(adapter, settings, { ...options, history: existing })
    if (existing.size > 0 && !options.force) {
      throw new Migr8Error(
        'BAD_USAGE',
        `Migr8's history (${settings.table}) already has ${existing.size} row(s); adopt takes over a database Migr8 has not migrated yet.`,
        'Run `migr8 adopt --dry-run` to compare, then `migr8 adopt --force` to import only the versions Migr8 does not have.',
        { rows: existing.size },
      )
    }
    throwIfAborted(ctx.signal)
    const actor = actorName()
    const source = `${plan.from} (${plan.table})`
    ctx.onProgress?.({ phase: `adopting from ${plan.from}`, done: 0, total: rows.length, unit: 'migrations' })
    await adapter.withTransaction(async (tx) => {
      for (const row of rows) {
        await history.insert(tx, row)
        const entry = plan.entries.find((e) => e.version === row.version)
        await history.journal(tx, {
          version: row.version,
          event: 'adopted',
          actor,
          detail: `adopted from ${source}${row.state === 'partial' ? `, stopped: ${row.error}` : ''}${entry?.note && row.state !== 'partial' ? `: ${entry.note}` : ''}`,
        })
      }
      await history.journal(tx, {
        event: 'adopted',
        actor,
        detail: `adopted from ${source}: ${rows.length} row(s) imported (${plan.stopped.length} stopped, ${plan.rowsWithoutFile.length} without file, ${plan.filesWithoutRow.length} file(s) pending); ${plan.table} left untouched`,
      })
    })
    ctx.onProgress?.({ phase: 'done', done: rows.length, total: rows.length, unit: 'migrations' })
    for (const warning of plan.warnings) ctx.onLog?.('warn', warning)
    return {
      plan,
      dryRun: false,
      imported: rows.map((r) => r.version),
      kept: plan.entries.filter((e) => e.action === 'keep_existing').map((e) => e.version),
    }
  } finally {
    await lock.release()
  }
}
