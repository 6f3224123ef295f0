/** Contract entries of the Migrations screen (spread into the contract object). */
import { z } from 'zod'
import { JobRef } from './jobref.js'

const profileId = z.string().min(1).max(64)
const password = z.string().max(1000).optional()
const version = z.string().min(1).max(100)

export const MIGRATION_ACTIONS = ['up', 'down', 'goto', 'redo', 'resume'] as const

export const MigrationRunInput = z
  .object({
    profileId,
    password,
    action: z.enum(MIGRATION_ACTIONS),
    /** up: apply up to and including this version; down: roll back to (keeping) this version; goto: target. */
    to: version.optional(),
    step: z.number().int().min(1).max(100_000).optional(),
  })
  .strict()

export const MigrationRunResult = z.object({
  steps: z.array(z.object({ version: z.string(), name: z.string(), direction: z.string(), durationMs: z.number() })),
  current: z.string().optional(),
  /** The automatic backup taken first (production profiles with the safety net on). */
  safetyBackupId: z.string().optional(),
})

export const MigrationDetail = z.object({
  version: z.string(),
  name: z.string(),
  state: z.string(),
  file: z.string().optional(),
  downFile: z.string().optional(),
  up: z.string().optional(),
  down: z.string().optional(),
  checksum: z.object({ recorded: z.string().optional(), current: z.string().optional() }),
  error: z.string().optional(),
})

export const migrationContract = {
  /** One migration: its up/down SQL, the recorded and current checksums, the error of a failed run. */
  'migrations.detail': {
    input: z.object({ profileId, password, version }).strict(),
    output: MigrationDetail,
  },
  /** The exact SQL an action would run (dry run: reads only, no lock, no table created). */
  'migrations.preview': {
    input: MigrationRunInput,
    output: z.object({ sql: z.string() }),
  },
  /** up / down / goto / redo / resume as a job (progress per migration, log, cancel). */
  'migrations.run': { input: MigrationRunInput, output: JobRef },
  'migrations.validate': {
    input: z.object({ profileId, password }).strict(),
    output: z.object({ ok: z.boolean(), problems: z.array(z.string()) }),
  },
  'migrations.repair': {
    input: z
      .object({
        profileId,
        password,
        markApplied: version.optional(),
        forget: version.optional(),
        checksums: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ actions: z.array(z.string()) }),
  },
  'migrations.baseline': {
    input: z.object({ profileId, password, version }).strict(),
    output: z.object({ current: z.string().optional() }),
  },
  /** Writes a new migration in the profile's folder and opens it in the user's editor when possible. */
  'migrations.create': {
    input: z.object({ profileId, name: z.string().trim().min(1).max(200) }).strict(),
    output: z.object({ files: z.array(z.string()), opened: z.boolean() }),
  },
} as const
