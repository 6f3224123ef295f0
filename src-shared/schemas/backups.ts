/** Contract entries of the Backups screen and the platform calls (reveal a file, open a file). */
import { z } from 'zod'
import { JobRef } from './jobref.js'

const profileId = z.string().min(1).max(64)
const password = z.string().max(1000).optional()
const backupId = z.string().min(1).max(120)
/** Formats a backup can be asked for; `custom` and `directory` are PostgreSQL's (the engine refuses them elsewhere). */
export const BACKUP_REQUEST_FORMATS = ['plain', 'custom', 'directory'] as const

export const BackupRecordView = z.object({
  id: z.string(),
  profile: z.string(),
  driver: z.string(),
  database: z.string(),
  createdAt: z.string(),
  durationMs: z.number(),
  sizeRaw: z.number().nullable(),
  sizeCompressed: z.number(),
  migrationVersion: z.string().nullable(),
  label: z.string().optional(),
  format: z.string(),
  compression: z.string(),
  file: z.string(),
  tool: z.string(),
  verifiedAt: z.string().optional(),
})

export const BackupListView = z.object({
  dir: z.string(),
  backups: z.array(BackupRecordView),
  problems: z.array(z.object({ kind: z.string(), name: z.string(), message: z.string() })),
  retention: z.object({ keep: z.number().optional(), maxAge: z.number().optional() }),
})

export const backupContract = {
  'backups.list': { input: z.object({ profileId }).strict(), output: BackupListView },
  'backups.create': {
    input: z
      .object({
        profileId,
        password,
        label: z.string().max(200).optional(),
        format: z.enum(BACKUP_REQUEST_FORMATS).optional(),
      })
      .strict(),
    output: JobRef,
  },
  /** Into the profile's own database (`confirm` must be its name) or into a new database `targetDb`. */
  'backups.restore': {
    input: z
      .object({
        profileId,
        password,
        id: backupId,
        targetDb: z.string().trim().min(1).max(1000).optional(),
        confirm: z.string().max(1000).optional(),
      })
      .strict(),
    output: JobRef,
  },
  'backups.verify': { input: z.object({ profileId, id: backupId }).strict(), output: JobRef },
  'backups.delete': {
    input: z.object({ profileId, id: backupId }).strict(),
    output: z.object({ deleted: z.string() }),
  },
  /** Retention: with `dryRun` the preview of what would go. */
  'backups.clean': {
    input: z
      .object({
        profileId,
        keep: z.number().int().min(1).max(10_000).optional(),
        maxAgeDays: z.number().min(0).max(100_000).optional(),
        dryRun: z.boolean(),
      })
      .strict(),
    output: z.object({
      dryRun: z.boolean(),
      deleted: z.array(BackupRecordView),
      kept: z.array(BackupRecordView),
      protected: z.array(BackupRecordView),
    }),
  },
  /** Turns the safety net (automatic backups before destructive steps on production) on or off for a profile. */
  'backups.setSafetyNet': {
    input: z.object({ profileId, enabled: z.boolean() }).strict(),
    output: z.object({ enabled: z.boolean() }),
  },
  /** Shows a backup file in the OS file manager (Electron); in browser mode fails with the path to open by hand. */
  'backups.reveal': { input: z.object({ profileId, id: backupId }).strict(), output: z.object({ path: z.string() }) },
} as const
