/**
 * The backup engine: create, list, verify, restore, clean and delete backups of the configured
 * database. Used by the CLI (`migr8 backup …`) and the app's handlers alike.
 */
import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import { findRecord, listCatalog, removeRecord } from './catalog.js'
import { backupDir } from './paths.js'
import { planRetention } from './retention.js'
import type { BackupList, BackupRecord, CleanOptions, CleanResult } from './types.js'

export { createBackup } from './create.js'
export { restoreBackup } from './restore.js'
export { verifyBackup } from './verify.js'
export { backupDir, BACKUP_ID_PATTERN } from './paths.js'
export { planRetention, type RetentionPolicy, type RetentionPlan } from './retention.js'
export type {
  BackupCompression,
  BackupFormat,
  BackupList,
  BackupProblem,
  BackupRecord,
  CleanOptions,
  CleanResult,
  CreateBackupOptions,
  RestoreOptions,
  RestoreResult,
  VerifyResult,
} from './types.js'

/** Complete backups (newest first) and every problem found in the backup folder. */
export function listBackups(config: Migr8Config, options: { profile?: string } = {}): Promise<BackupList> {
  return listCatalog(backupDir(config)).then((list) =>
    options.profile === undefined
      ? list
      : { ...list, backups: list.backups.filter((b) => b.profile === options.profile) },
  )
}

/**
 * Retention: per profile and database, keeps the `keep` newest and those younger than `maxAge`
 * (defaults from backups.retention), never the newest verified one. `dryRun` deletes nothing.
 */
export async function cleanBackups(
  config: Migr8Config,
  options: CleanOptions = {},
  context: RunContext = {},
): Promise<CleanResult> {
  const keep = options.keep ?? config.backups.retention.keep
  const maxAge = options.maxAge ?? config.backups.retention.maxAge
  if (keep === undefined && maxAge === undefined) {
    throw new Migr8Error(
      'BAD_USAGE',
      'No retention rule: nothing says which backups may go.',
      'Pass --keep N and/or --max-age 30d, or set backups.retention in migr8.yaml.',
    )
  }
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) {
    throw new Migr8Error(
      'BAD_USAGE',
      `--keep ${keep} is not a positive whole number.`,
      'Keep at least one backup, e.g. --keep 7.',
    )
  }
  const dir = backupDir(config)
  const list = await listBackups(config, { profile: options.profile })
  const plan = planRetention(list.backups, { keep, maxAge }, options.now ?? new Date())
  if (!options.dryRun) {
    for (const record of plan.deleted) {
      context.onLog?.('info', `deleting ${record.id}`)
      await removeRecord(dir, record)
    }
  }
  return { dryRun: !!options.dryRun, deleted: plan.deleted, kept: plan.kept, protected: plan.protected }
}

/** Deletes one backup (metadata, then file). */
export async function deleteBackup(config: Migr8Config, id: string): Promise<BackupRecord> {
  const dir = backupDir(config)
  const record = await findRecord(dir, id)
  await removeRecord(dir, record)
  return record
}
