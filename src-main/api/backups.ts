import { join } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import {
  backupDir,
  cleanBackups,
  createBackup,
  deleteBackup,
  listBackups,
  restoreBackup,
  verifyBackup,
  type BackupRecord,
} from '../backup/index.js'
import type { HandlerTable } from './context.js'
import { configFor, refuseReadOnly, safetyBackup, safetyNetOn, withProfile } from './profile-config.js'

type Channels =
  | 'backups.list'
  | 'backups.create'
  | 'backups.restore'
  | 'backups.verify'
  | 'backups.delete'
  | 'backups.clean'
  | 'backups.reveal'
  | 'backups.setSafetyNet'

const view = (record: BackupRecord) => record

/** The database name a restore over the profile's own database must be confirmed with. */
function databaseName(database: string): string {
  return database.split(/[\\/]/).pop() || database
}

export const backupHandlers: Pick<HandlerTable, Channels> = {
  async 'backups.list'({ profileId }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    const list = await listBackups(config)
    return { ...list, backups: list.backups.map(view), retention: config.backups.retention }
  },

  async 'backups.create'({ profileId, password, label, format }, context) {
    const profile = context.profiles.get(profileId)
    return context.jobs.start('backups.create', `Back up ${profile.name}`, (signal, progress, log) =>
      withProfile(
        context,
        profileId,
        password,
        ({ adapter, config }) =>
          createBackup(
            adapter,
            config,
            { label, format, profile: profile.id },
            { signal, onProgress: progress, onLog: log },
          ),
        signal,
      ),
    )
  },

  async 'backups.restore'({ profileId, password, id, targetDb, confirm }, context) {
    const profile = context.profiles.get(profileId)
    const config = configFor(context, profile)
    if (!targetDb) {
      refuseReadOnly(profile, 'restoring over its database')
      const name = databaseName(config.connection.database)
      if (confirm !== name)
        throw new Migr8Error(
          'CONFIRMATION_REQUIRED',
          `Restoring ${id} replaces every object in ${name}.`,
          `Type the database name (${name}) to confirm, or restore into a new database.`,
          { expected: name },
        )
    }
    const title = targetDb ? `Restore ${id} into ${targetDb}` : `Restore ${id} over ${profile.name}`
    return context.jobs.start('backups.restore', title, (signal, progress, log) =>
      withProfile(
        context,
        profileId,
        password,
        async (opened) => {
          const ctx: RunContext = { signal, onProgress: progress, onLog: log }
          const ours = !targetDb && safetyNetOn(profile)
          const safetyBackupId = ours ? await safetyBackup(opened, 'restore', ctx) : undefined
          const result = await restoreBackup(
            opened.adapter,
            opened.config,
            id,
            {
              targetDb,
              force: !targetDb,
              safetyBackup: ours ? false : profile.safetyBackups !== false,
              profile: profile.id,
            },
            ctx,
          )
          return {
            id,
            target: result.target,
            replaced: result.replaced,
            durationMs: result.durationMs,
            safetyBackupId: safetyBackupId ?? result.safetyBackup?.id,
          }
        },
        signal,
      ),
    )
  },

  async 'backups.verify'({ profileId, id }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    return context.jobs.start('backups.verify', `Verify ${id}`, async (signal, progress, log) => {
      const result = await verifyBackup(config, id, { signal, onProgress: progress, onLog: log })
      log('info', `${id}: ${result.check} OK in ${result.durationMs} ms`)
      return { id, check: result.check, durationMs: result.durationMs }
    })
  },

  async 'backups.delete'({ profileId, id }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    return { deleted: (await deleteBackup(config, id)).id }
  },

  async 'backups.clean'({ profileId, keep, maxAgeDays, dryRun }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    const result = await cleanBackups(config, {
      keep,
      maxAge: maxAgeDays === undefined ? undefined : maxAgeDays * 86_400_000,
      dryRun,
    })
    return {
      ...result,
      deleted: result.deleted.map(view),
      kept: result.kept.map(view),
      protected: result.protected.map(view),
    }
  },

  async 'backups.setSafetyNet'({ profileId, enabled }, context) {
    const stored = context.profiles.get(profileId)
    // Re-save the stored profile (its URL carries no password; a stored password is kept) with the flag.
    const { demo: _demo, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = stored
    const saved = await context.profiles.save({ ...fields, safetyBackups: enabled })
    return { enabled: saved.safetyBackups !== false }
  },

  async 'backups.reveal'({ profileId, id }, context) {
    const config = configFor(context, context.profiles.get(profileId))
    const list = await listBackups(config)
    const record = list.backups.find((candidate) => candidate.id === id)
    if (!record) throw new Migr8Error('BACKUP_NOT_FOUND', `No backup ${id}.`, 'Refresh the list.')
    const path = join(backupDir(config), record.file)
    if (context.platform && (await context.platform.reveal(path))) return { path }
    throw new Migr8Error(
      'BAD_USAGE',
      `The browser cannot open your file manager. The backup is at ${path}`,
      'Open that folder by hand (the path is selected for copying), or use the desktop app.',
      { path },
    )
  },
}
