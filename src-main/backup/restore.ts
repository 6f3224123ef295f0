import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import type { Adapter } from '../db/adapter.js'
import { findRecord } from './catalog.js'
import { createBackup } from './create.js'
import { backupDriverFor } from './drivers.js'
import { asMigr8Error } from './files.js'
import { backupDir, insideBackupDir } from './paths.js'
import { openDecompressed } from './reading.js'
import type { BackupRecord, RestoreOptions, RestoreResult } from './types.js'
import { verifyRecord } from './verify.js'

/**
 * Restores a backup. It is verified first (checksum + read pass). Into a new database
 * (`targetDb`), the database is created and, if the load fails, dropped again. Into the configured
 * database, or any existing one, `force` is required: Migr8 then takes a safety backup (unless
 * `safetyBackup: false`), drops and recreates the database empty, and loads the dump, so that the
 * result is exactly the backup, with no objects left over from before.
 */
export async function restoreBackup(
  adapter: Adapter,
  config: Migr8Config,
  id: string,
  options: RestoreOptions = {},
  context: RunContext = {},
): Promise<RestoreResult> {
  const started = performance.now()
  const dir = backupDir(config)
  const found = await findRecord(dir, id)
  if (found.driver !== adapter.dialect) {
    throw new Migr8Error(
      'BAD_USAGE',
      `Backup ${id} is a ${found.driver} backup; this profile is ${adapter.dialect}.`,
      'Restore it with a profile of the same database kind.',
    )
  }
  const driver = await backupDriverFor(adapter.dialect)
  const target = await driver.resolveTarget(adapter, config, options.targetDb)
  if (target.exists && !options.force) {
    throw new Migr8Error(
      'CONFIRMATION_REQUIRED',
      target.same
        ? `Restoring ${id} replaces the database ${target.name}: every object in it is dropped and recreated from the backup.`
        : `The target ${target.name} already exists; restoring replaces everything in it.`,
      target.same
        ? 'Add --force to replace it (a safety backup is taken first), or use --target-db NEW_NAME.'
        : 'Add --force to replace it, or choose a --target-db that does not exist.',
      { target: target.name, same: target.same },
    )
  }
  context.onProgress?.({ phase: 'verifying' })
  const { record } = await verifyRecord(config, found, context)
  throwIfAborted(context.signal)

  let safetyBackup: BackupRecord | undefined
  if (target.same && target.exists && options.safetyBackup !== false) {
    context.onLog?.('info', `taking a safety backup of ${target.name} first`)
    safetyBackup = await createBackup(
      adapter,
      config,
      { label: `before restoring ${id}`, profile: options.profile ?? record.profile },
      context,
    )
  }
  throwIfAborted(context.signal)

  const path = insideBackupDir(dir, record.file)
  await driver.prepareTarget(adapter, target)
  try {
    await driver.load(
      adapter,
      record,
      { path, decompressed: (signal) => openDecompressed(path, record, 'restoring', context.onProgress, signal) },
      target,
      { jobs: options.jobs },
      context,
    )
  } catch (error) {
    const typed = asMigr8Error(
      error,
      'RESTORE_FAILED',
      `Restore of ${id} into ${target.name}`,
      'Read the message above and fix the cause; then restore again.',
      context.signal,
    )
    if (!target.same && !target.exists) await driver.dropTarget(adapter, target).catch(() => undefined)
    if (safetyBackup) {
      throw new Migr8Error(
        typed.code,
        typed.message,
        `${typed.remedy} The database as it was before is in safety backup ${safetyBackup.id}.`,
        { ...typed.details, safetyBackup: safetyBackup.id },
        typed,
      )
    }
    throw typed
  }
  return {
    record,
    target: target.name,
    replaced: target.exists,
    ...(safetyBackup ? { safetyBackup } : {}),
    durationMs: Math.round(performance.now() - started),
  }
}
