import { adoptHandlers } from './adopt.js'
import { appHandlers } from './app.js'
import { backupHandlers } from './backups.js'
import type { HandlerTable } from './context.js'
import { jobHandlers } from './jobs.js'
import { migrationHandlers } from './migrations.js'
import { profileHandlers } from './profiles.js'
import { seedHandlers } from './seeds.js'
import { secretHandlers } from './secrets.js'

/** Every call of the contract, mapped to its handler (one file per area). */
export const handlers: HandlerTable = {
  ...appHandlers,
  ...profileHandlers,
  ...secretHandlers,
  ...migrationHandlers,
  ...adoptHandlers,
  ...backupHandlers,
  ...seedHandlers,
  ...jobHandlers,
}
