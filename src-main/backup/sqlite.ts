import { randomBytes } from 'node:crypto'
import { accessSync, constants, existsSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { Migr8Error, cancelled } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Adapter } from '../db/adapter.js'
import { SqliteAdapter } from '../db/sqlite.js'
import { onlyPlainFormat, type BackupDriver, type DumpPlan, type RestoreTarget } from './driver.js'
import { fsyncDir, fsyncPath } from './files.js'
import { PARTIAL_SUFFIX } from './paths.js'
import { decompressToFile } from './reading.js'

/** Pages copied per step of the online backup (4 KiB pages: 16 MiB per step). */
const PAGES_PER_STEP = 4096

function sqliteDb(adapter: Adapter): Database.Database {
  if (!(adapter instanceof SqliteAdapter)) throw new Error('the sqlite backup driver needs a SqliteAdapter')
  return adapter.db
}

/**
 * The integrity of a SQLite file; throws BACKUP_CORRUPT unless `PRAGMA integrity_check` says ok.
 * Also switches the copy to rollback-journal mode, so it is one self-contained file.
 */
function checkDatabaseFile(path: string, what: string): void {
  let db: Database.Database | undefined
  try {
    db = new Database(path, { fileMustExist: true })
    db.pragma('journal_mode = DELETE')
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>
    const problems = rows.map((row) => row.integrity_check).filter((line) => line !== 'ok')
    if (problems.length > 0) {
      throw new Migr8Error(
        'BACKUP_CORRUPT',
        `${what} fails PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`,
        'Use an older backup and delete this one.',
      )
    }
  } catch (error) {
    if (error instanceof Migr8Error) throw error
    throw new Migr8Error(
      'BACKUP_CORRUPT',
      `${what} is not a readable SQLite database: ${(error as Error).message}.`,
      'Use an older backup and delete this one.',
      undefined,
      error,
    )
  } finally {
    db?.close()
  }
}

/**
 * Switches a fresh copy to rollback-journal mode (a WAL database's copy says WAL in its header), so
 * the backup is one self-contained file that any sqlite3 opens. The full integrity check is verify's job.
 */
function selfContained(path: string): void {
  const db = new Database(path, { fileMustExist: true })
  try {
    db.pragma('journal_mode = DELETE')
  } finally {
    db.close()
  }
}

/** Online backup of `source` into a new file, with page progress; aborting stops between steps. */
async function onlineBackup(
  source: Database.Database,
  destination: string,
  phase: string,
  context: RunContext,
): Promise<void> {
  const started = performance.now()
  let total = 0
  await source.backup(destination, {
    progress({ totalPages, remainingPages }) {
      if (context.signal?.aborted) throw cancelled()
      total = totalPages
      const done = totalPages - remainingPages
      const seconds = (performance.now() - started) / 1000
      context.onProgress?.({
        phase,
        done,
        total: totalPages,
        unit: 'pages',
        rate: seconds > 0 ? done / seconds : undefined,
      })
      return PAGES_PER_STEP
    },
  })
  if (context.signal?.aborted) throw cancelled()
  // Small databases are copied in one step, before the callback ever runs.
  total ||= Number(source.pragma('page_count', { simple: true }))
  const seconds = (performance.now() - started) / 1000
  context.onProgress?.({ phase, done: total, total, unit: 'pages', rate: seconds > 0 ? total / seconds : undefined })
}

export const sqliteBackup: BackupDriver = {
  dialect: 'sqlite',

  async planDump(adapter, request): Promise<DumpPlan> {
    onlyPlainFormat(request.format, 'Leave --format out for SQLite: the backup is a SQLite database file.')
    const db = sqliteDb(adapter)
    const version = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
    return {
      format: 'sqlite',
      extension: '.sqlite',
      tool: 'sqlite-backup-api',
      toolVersion: version,
      // The backup runs on the adapter's own connection, the one Migr8 writes through: its writes
      // are copied as they happen instead of restarting the backup.
      async writeFile(path, context) {
        try {
          await onlineBackup(db, path, 'copying pages', context)
          selfContained(path)
        } catch (error) {
          if (error instanceof Migr8Error && error.code !== 'BACKUP_CORRUPT') throw error
          if (error instanceof Migr8Error)
            throw new Migr8Error('BACKUP_FAILED', error.message, 'Run the backup again.', undefined, error)
          throw destinationError(error, path) ?? adapter.translateError(error, 'SQLite backup')
        }
      },
    }
  },

  async verifyArchive(path, record, scratchDir, context) {
    const copy = join(scratchDir, `.${record.id}.verify-${randomBytes(3).toString('hex')}${PARTIAL_SUFFIX}`)
    try {
      await decompressToFile(path, record, copy, 'reading', context.onProgress, context.signal).catch(
        (error: unknown) => {
          if (context.signal?.aborted) throw cancelled()
          if (error instanceof Migr8Error && error.code !== 'BACKUP_CORRUPT') throw error
          throw new Migr8Error(
            'BACKUP_CORRUPT',
            `Backup ${record.id} does not decompress: ${(error as Error).message}.`,
            'Use an older backup and delete this one.',
            undefined,
            error,
          )
        },
      )
      context.onProgress?.({ phase: 'PRAGMA integrity_check' })
      checkDatabaseFile(copy, `Backup ${record.id}`)
    } finally {
      await rm(copy, { force: true })
      await rm(`${copy}-journal`, { force: true })
    }
    return 'decompress + PRAGMA integrity_check on a copy'
  },

  async resolveTarget(adapter, config, targetDb): Promise<RestoreTarget> {
    const current = resolve(adapter.connection.database)
    if (targetDb === undefined) return { name: current, same: true, exists: existsSync(current) }
    if (targetDb.includes('\0') || targetDb.trim() === '')
      throw new Migr8Error(
        'BAD_USAGE',
        'The target SQLite path is empty.',
        'Give a file path, e.g. --target-db restored.sqlite.',
      )
    // A bare name lands beside the configured database; relative paths resolve against the config folder.
    const name = isAbsolute(targetDb)
      ? targetDb
      : targetDb.includes('/')
        ? resolve(config.baseDir, targetDb)
        : join(dirname(current), targetDb)
    if (!existsSync(dirname(name))) {
      throw new Migr8Error(
        'PATH_INVALID',
        `The folder of ${name} does not exist.`,
        `Create ${dirname(name)} first or choose another path.`,
      )
    }
    return { name, same: name === current, exists: existsSync(name) }
  },

  async prepareTarget() {
    // Nothing: load() builds the database beside the target and swaps it in.
  },

  async load(adapter, record, input, target, _options, context) {
    const staging = `${target.name}.migr8-restore-${randomBytes(3).toString('hex')}${PARTIAL_SUFFIX}`
    try {
      await decompressToFile(input.path, record, staging, 'restoring', context.onProgress, context.signal)
      checkDatabaseFile(staging, `Backup ${record.id}`)
      if (!target.exists) {
        await fsyncPath(staging, 'r+')
        await rename(staging, target.name)
        await fsyncDir(dirname(target.name))
        return
      }
      // Replace the content of an existing database through SQLite itself, so that connections
      // holding it open (this adapter included) see the restored pages, never a swapped file.
      const source = new Database(staging, { readonly: true, fileMustExist: true })
      try {
        await onlineBackup(source, target.name, 'writing pages', context)
      } finally {
        source.close()
      }
      if (target.same) sqliteDb(adapter).pragma('schema_version')
    } finally {
      await rm(staging, { force: true })
      await rm(`${staging}-journal`, { force: true })
    }
  },

  async dropTarget() {
    // A failed SQLite restore never created the target (the staging file is removed).
  },
}

/** Errors about the backup file, which the adapter would otherwise blame on the source database. */
function destinationError(error: unknown, path: string): Migr8Error | undefined {
  const code = (error as { code?: string } | undefined)?.code ?? ''
  const message = (error as Error | undefined)?.message ?? String(error)
  if (code === 'SQLITE_FULL') {
    return new Migr8Error(
      'DISK_FULL',
      `SQLite backup: no space left writing ${path}.`,
      'Free some space in the backup folder (or run `migr8 backup clean`) and run again.',
      { driverCode: code },
      error,
    )
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM' ||
    code.startsWith('SQLITE_IOERR')
  ) {
    const folder = dirname(path)
    let why = message
    try {
      accessSync(folder, constants.W_OK)
    } catch (access) {
      why = `the backup folder ${folder} is not writable (${(access as NodeJS.ErrnoException).code === 'EROFS' ? 'read-only file system' : (access as Error).message})`
    }
    return new Migr8Error(
      'PERMISSION_DENIED',
      `SQLite backup: cannot write ${path}: ${why}.`,
      'Check the backup folder exists and is writable by this user.',
      { driverCode: code },
      error,
    )
  }
  return undefined
}
