import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { ParsedInput } from '../../src-shared/contract.js'
import { canonicalVersion, compareVersions, createMigration, Migrator, readMigrations } from '../migrate/index.js'
import type { ApiContext, HandlerTable } from './context.js'
import {
  configFor,
  refuseReadOnly,
  requireMigrationsFolder,
  safetyBackup,
  withProfile,
  type Opened,
} from './profile-config.js'

type Channels =
  | 'migrations.status'
  | 'migrations.detail'
  | 'migrations.preview'
  | 'migrations.run'
  | 'migrations.validate'
  | 'migrations.repair'
  | 'migrations.baseline'
  | 'migrations.create'

type RunInput = ParsedInput<'migrations.run'>

function withMigrator<T>(
  context: ApiContext,
  input: { profileId: string; password?: string },
  fn: (migrator: Migrator, opened: Opened) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  requireMigrationsFolder(context.profiles.get(input.profileId))
  return withProfile(
    context,
    input.profileId,
    input.password,
    (opened) => fn(new Migrator(opened.adapter, opened.config.migrations), opened),
    signal,
  )
}

function run(migrator: Migrator, input: RunInput, dryRun: boolean, ctx: RunContext) {
  switch (input.action) {
    case 'up':
      return migrator.up({ to: input.to, step: input.step, dryRun }, ctx)
    case 'down':
      return migrator.down({ to: input.to, step: input.step, dryRun }, ctx)
    case 'goto':
      if (!input.to) throw new Migr8Error('BAD_USAGE', 'goto needs a version.', 'Pick a migration first.')
      return migrator.goto(input.to, { dryRun }, ctx)
    case 'redo':
      return migrator.redo({ dryRun }, ctx)
    case 'resume':
      return migrator.resume({ dryRun }, ctx)
  }
}

/** Whether the action rolls anything back (and so deserves a safety backup on production). */
async function rollsBack(migrator: Migrator, input: RunInput): Promise<boolean> {
  if (input.action === 'down' || input.action === 'redo') return true
  if (input.action !== 'goto' || !input.to) return false
  const { current } = await migrator.status()
  return current !== undefined && compareVersions(input.to, current) < 0
}

const TITLES: Record<RunInput['action'], string> = {
  up: 'Apply migrations',
  down: 'Roll back migrations',
  goto: 'Migrate to version',
  redo: 'Redo last migration',
  resume: 'Resume stopped migration',
}

export const migrationHandlers: Pick<HandlerTable, Channels> = {
  async 'migrations.status'(input, context) {
    return withMigrator(context, input, async (migrator, { config }) => ({
      dir: config.migrations.dir,
      ...(await migrator.status()),
    }))
  },

  async 'migrations.detail'(input, context) {
    return withMigrator(context, input, async (migrator, { config }) => {
      const status = await migrator.status()
      const key = canonicalVersion(input.version)
      const entry = status.entries.find((candidate) => canonicalVersion(candidate.version) === key)
      if (!entry)
        throw new Migr8Error('MIGRATION_NOT_FOUND', `No migration ${input.version}.`, 'Refresh the list.', {
          version: input.version,
        })
      const file =
        entry.state === 'missing_file'
          ? undefined
          : readMigrations(config.migrations.dir).find((migration) => canonicalVersion(migration.version) === key)
      return {
        version: entry.version,
        name: entry.name,
        state: entry.state,
        file: file?.up.file,
        downFile: file?.down?.file,
        up: file?.up.sql,
        down: file?.down?.sql,
        checksum: { recorded: entry.checksum?.recorded, current: entry.checksum?.current ?? file?.checksum },
        error: entry.error,
      }
    })
  },

  async 'migrations.preview'(input, context) {
    return withMigrator(context, input, async (migrator) => {
      const result = await run(migrator, input, true, {})
      return { sql: result.dryRunSql ?? '' }
    })
  },

  async 'migrations.run'(input, context) {
    const profile = context.profiles.get(input.profileId)
    requireMigrationsFolder(profile)
    refuseReadOnly(profile, `migrate ${input.action}`)
    return context.jobs.start(
      `migrations.${input.action}`,
      `${TITLES[input.action]} · ${profile.name}`,
      (signal, progress, log) =>
        withMigrator(
          context,
          input,
          async (migrator, opened) => {
            const ctx: RunContext = { signal, onProgress: progress, onLog: log }
            const safetyBackupId = (await rollsBack(migrator, input))
              ? await safetyBackup(opened, `migrate ${input.action}`, ctx)
              : undefined
            const result = await run(migrator, input, false, ctx)
            for (const step of result.steps)
              log('info', `${step.direction} ${step.version} ${step.name} (${step.durationMs} ms)`)
            return { steps: result.steps, current: result.current, safetyBackupId }
          },
          signal,
        ),
    )
  },

  async 'migrations.validate'(input, context) {
    return withMigrator(context, input, (migrator) => migrator.validate())
  },

  async 'migrations.repair'(input, context) {
    refuseReadOnly(context.profiles.get(input.profileId), 'repair')
    return withMigrator(context, input, (migrator) =>
      migrator.repair({ markApplied: input.markApplied, forget: input.forget, checksums: input.checksums }),
    )
  },

  async 'migrations.baseline'(input, context) {
    refuseReadOnly(context.profiles.get(input.profileId), 'baseline')
    return withMigrator(context, input, async (migrator) => ({
      current: (await migrator.baseline(input.version)).current,
    }))
  },

  async 'migrations.create'({ profileId, name }, context) {
    const profile = context.profiles.get(profileId)
    requireMigrationsFolder(profile)
    const config = configFor(context, profile)
    const files = createMigration({
      dir: config.migrations.dir,
      name,
      format: config.migrations.create.format,
      versions: config.migrations.create.versions,
    })
    const opened = context.platform ? await context.platform.openPath(files[0]).catch(() => false) : false
    return { files, opened }
  },
}
