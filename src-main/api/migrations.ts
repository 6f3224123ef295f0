import { resolve } from 'node:path'
import { Migr8Error } from '../../src-shared/errors.js'
import { migrationsSchema } from '../config/schema.js'
import { openAdapter } from '../db/index.js'
import { Migrator } from '../migrate/index.js'
import type { HandlerTable } from './context.js'

export const migrationHandlers: Pick<HandlerTable, 'migrations.status'> = {
  async 'migrations.status'({ profileId, password }, { profiles }) {
    const profile = profiles.get(profileId)
    if (!profile.folders.migrations) {
      throw new Migr8Error(
        'PATH_INVALID',
        `The profile "${profile.name}" has no migrations folder.`,
        'Edit the profile and set its migrations folder (Project folders → Migrations).',
      )
    }
    const dir = resolve(profiles.dir, profile.folders.migrations)
    const adapter = await openAdapter(
      profiles.connectionFor(profile, password ?? (await profiles.passwordFor(profile))),
    )
    try {
      const status = await new Migrator(adapter, { ...migrationsSchema.parse({}), dir }).status()
      return { dir, ...status }
    } finally {
      await adapter.close()
    }
  },
}
