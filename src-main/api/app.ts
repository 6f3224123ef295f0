import type { HandlerTable } from './context.js'

/** The CLI commands the placeholder tabs point at until their screens exist. */
const CLI_COMMANDS = [
  { area: 'migrations', command: 'migr8 status', description: 'list applied and pending migrations' },
  { area: 'migrations', command: 'migr8 up', description: 'apply pending migrations' },
  { area: 'migrations', command: 'migr8 down', description: 'roll back the last migration' },
  { area: 'migrations', command: 'migr8 create <name>', description: 'create a new migration file' },
  { area: 'backups', command: 'migr8 backup create', description: 'dump the database to the backups folder' },
  { area: 'backups', command: 'migr8 backup list', description: 'list backups' },
  { area: 'backups', command: 'migr8 backup restore <file>', description: 'restore a backup' },
  { area: 'seeds', command: 'migr8 seed preview', description: 'show what the seeds would insert' },
  { area: 'seeds', command: 'migr8 seed run', description: 'load the seed files' },
]

export const appHandlers: Pick<HandlerTable, 'app.info' | 'app.openExternal'> = {
  async 'app.info'(_input, context) {
    return {
      version: context.version,
      mode: context.mode,
      platform: process.platform,
      dataDir: context.dataDir,
      secrets: await context.profiles.secrets.status(),
      cliCommands: CLI_COMMANDS,
    }
  },
  async 'app.openExternal'({ url }, context) {
    if (!context.openExternal) return { opened: false }
    return { opened: await context.openExternal(url) }
  },
}
