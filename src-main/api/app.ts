import type { HandlerTable } from './context.js'

/** The CLI commands the placeholder tabs point at until their screens exist. */
const CLI_COMMANDS = [
  { area: 'migrations', command: 'migr8 migrate status', description: 'list every migration with its state' },
  { area: 'migrations', command: 'migr8 migrate up [--dry-run]', description: 'apply pending migrations' },
  { area: 'migrations', command: 'migr8 migrate down [--step n]', description: 'roll back migrations' },
  { area: 'migrations', command: 'migr8 migrate create <name>', description: 'create a new migration file' },
  {
    area: 'migrations',
    command: 'migr8 migrate validate',
    description: 'check the files without touching the database',
  },
  { area: 'backups', command: 'migr8 backup create', description: 'dump the database into the backups folder' },
  { area: 'backups', command: 'migr8 backup list', description: 'list backups with size and age' },
  { area: 'backups', command: 'migr8 backup verify <file>', description: 'check a backup is complete and readable' },
  { area: 'backups', command: 'migr8 backup restore <file>', description: 'restore a backup (asks for confirmation)' },
  { area: 'seeds', command: 'migr8 seed preview <file>', description: 'show what a seed file would insert' },
  { area: 'seeds', command: 'migr8 seed run [files…]', description: 'load the seed files (CSV, YAML)' },
  { area: 'seeds', command: 'migr8 seed generate', description: 'capture table data as seed files' },
  { area: 'seeds', command: 'migr8 seed list', description: 'list the seed files and their tables' },
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
