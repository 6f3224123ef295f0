import type { Dialect } from '../db/adapter.js'
import type { BackupDriver } from './driver.js'

/** The one place that maps a dialect to its backup driver (loaded on demand, like the adapters). */
export async function backupDriverFor(dialect: Dialect): Promise<BackupDriver> {
  switch (dialect) {
    case 'postgres':
      return (await import('./postgres.js')).postgresBackup
    case 'mysql':
      return (await import('./mysql.js')).mysqlBackup
    case 'sqlite':
      return (await import('./sqlite.js')).sqliteBackup
  }
}
