/**
 * "Adopt": take over a database another tool (golang-migrate, goose, dbmate, Flyway, node-pg-migrate)
 * has migrated. Detection and the plan only read; the run imports the tool's history into Migr8's as
 * a job, under Migr8's migration lock, and never writes the other tool's table.
 */
import type { RunContext } from '../../src-shared/progress.js'
import { adopt, detectForeignHistory, planAdoption } from '../migrate/adopt/index.js'
import type { HandlerTable } from './context.js'
import { refuseReadOnly, requireMigrationsFolder, withProfile } from './profile-config.js'

type Channels = 'adopt.detect' | 'adopt.plan' | 'adopt.run'

export const adoptHandlers: Pick<HandlerTable, Channels> = {
  async 'adopt.detect'(input, context) {
    return withProfile(context, input.profileId, input.password, ({ adapter }) => detectForeignHistory(adapter))
  },

  async 'adopt.plan'(input, context) {
    requireMigrationsFolder(context.profiles.get(input.profileId))
    return withProfile(context, input.profileId, input.password, ({ adapter, config }) =>
      planAdoption(adapter, config.migrations, input.from, { force: input.force }),
    )
  },

  async 'adopt.run'(input, context) {
    const profile = context.profiles.get(input.profileId)
    requireMigrationsFolder(profile)
    refuseReadOnly(profile, 'adopt')
    return context.jobs.start('adopt', `Adopt ${input.from} history · ${profile.name}`, (signal, progress, log) =>
      withProfile(
        context,
        input.profileId,
        input.password,
        async ({ adapter, config }) => {
          const ctx: RunContext = { signal, onProgress: progress, onLog: log }
          const result = await adopt(adapter, config.migrations, { from: input.from, force: input.force }, ctx)
          const { plan } = result
          log(
            'info',
            `imported ${result.imported.length} row(s) from ${plan.from} (${plan.table}); ${plan.table} left untouched`,
          )
          return {
            from: plan.from,
            table: plan.table,
            imported: result.imported,
            kept: result.kept,
            stopped: plan.stopped.length,
            rowsWithoutFile: plan.rowsWithoutFile.length,
            filesWithoutRow: plan.filesWithoutRow.length,
            warnings: plan.warnings,
          }
        },
        signal,
      ),
    )
  },
}
