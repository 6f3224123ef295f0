/**
 * The bridge between a saved profile and the engines: the Migr8Config (folders resolved like the
 * migrations status does, backups in the app's data folder unless the profile names one), an open
 * adapter, and the safety net (an automatic backup before destructive work on production profiles).
 */
import { join, resolve } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import { createBackup } from '../backup/index.js'
import { backupsSchema, migrationsSchema, seedsSchema, type Migr8Config } from '../config/schema.js'
import type { Adapter } from '../db/adapter.js'
import { openAdapter } from '../db/index.js'
import type { SshSecrets, StoredProfile } from '../profiles/store.js'
import type { ApiContext } from './context.js'

export function configFor(
  context: ApiContext,
  profile: StoredProfile,
  password?: string,
  sshSecrets?: SshSecrets,
): Migr8Config {
  const { profiles } = context
  const folder = (value: string | undefined) => (value ? resolve(profiles.dir, value) : undefined)
  return {
    baseDir: profiles.dir,
    connection: profiles.connectionFor(profile, password, sshSecrets),
    migrations: {
      ...migrationsSchema.parse({}),
      dir: folder(profile.folders.migrations) ?? join(context.dataDir, 'migrations', profile.id),
    },
    backups: backupsSchema.parse({
      dir: folder(profile.folders.backups) ?? join(context.dataDir, 'backups', profile.id),
    }),
    seeds: seedsSchema.parse({ dir: folder(profile.folders.seeds) ?? join(context.dataDir, 'seeds', profile.id) }),
  }
}

export function requireMigrationsFolder(profile: StoredProfile): void {
  if (!profile.folders.migrations) {
    throw new Migr8Error(
      'PATH_INVALID',
      `The profile "${profile.name}" has no migrations folder.`,
      'Edit the profile and set its migrations folder (Project folders → Migrations).',
    )
  }
}

export function refuseReadOnly(profile: StoredProfile, what: string): void {
  if (profile.readOnly)
    throw new Migr8Error(
      'READ_ONLY_PROFILE',
      `The profile "${profile.name}" is read-only: ${what} is not allowed.`,
      'Edit the profile and untick "read-only" if this is intended.',
    )
}

export interface Opened {
  profile: StoredProfile
  config: Migr8Config
  adapter: Adapter
}

/** Resolves the profile and its password, opens an adapter, runs `fn`, and always closes the adapter. */
export async function withProfile<T>(
  context: ApiContext,
  profileId: string,
  password: string | undefined,
  fn: (opened: Opened) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const profile = context.profiles.get(profileId)
  const config = configFor(
    context,
    profile,
    password ?? (await context.profiles.passwordFor(profile)),
    await context.profiles.sshSecretsFor(profile),
  )
  const adapter = await openAdapter(config.connection, { signal })
  try {
    return await fn({ profile, config, adapter })
  } finally {
    await adapter.close()
  }
}

/** Whether the safety net applies: production profiles, unless turned off for this profile. */
export function safetyNetOn(profile: StoredProfile): boolean {
  return profile.environment === 'production' && profile.safetyBackups !== false
}

/** Takes the automatic backup before a destructive step; returns its id (undefined when the net is off). */
export async function safetyBackup(opened: Opened, operation: string, ctx: RunContext): Promise<string | undefined> {
  if (!safetyNetOn(opened.profile)) return undefined
  ctx.onLog?.('info', `safety net: backing up ${opened.config.connection.database} before ${operation}`)
  const record = await createBackup(
    opened.adapter,
    opened.config,
    { label: `auto: before ${operation}`, profile: opened.profile.id },
    { ...ctx, onProgress: (event) => ctx.onProgress?.({ ...event, phase: `safety backup: ${event.phase}` }) },
  )
  ctx.onLog?.('info', `safety backup ${record.id} taken`)
  return record.id
}
