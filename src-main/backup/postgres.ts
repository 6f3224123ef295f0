import { availableParallelism, devNull } from 'node:os'
import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import type { Adapter } from '../db/adapter.js'
import { openAdapter } from '../db/index.js'
import { postgresCredentials } from './credentials.js'
import type { BackupDriver, DumpPlan, LoadInput, RestoreTarget } from './driver.js'
import { spawnTool } from './process.js'
import { loadThroughTool } from './reading.js'
import { DIRECTORY_EXTENSION } from './paths.js'
import { POSTGRES_TOOLS, requireTool } from './tools.js'
import type { BackupCompression, BackupRecord } from './types.js'

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/
/** pg_dump's compression for its archive formats on PostgreSQL 15 and older (gzip levels only). */
const ARCHIVE_GZIP_LEVEL = 3

/** pg_dump's own compression inside a custom or directory archive (`-Z`); zstd needs pg_dump 16. */
function archiveCompression(major: number, request: string): { args: string[]; compression: BackupCompression } {
  if (request === 'none') return { args: ['-Z', '0'], compression: 'none' }
  if (request === 'zstd' || (request === 'auto' && major >= 16)) {
    if (major < 16) {
      throw new Migr8Error(
        'TOOL_MISSING',
        `zstd inside a custom or directory-format dump needs pg_dump 16 or newer (found ${major}).`,
        'Use --compress gzip, or install the PostgreSQL 16+ client tools.',
      )
    }
    return { args: ['-Z', 'zstd'], compression: 'zstd' }
  }
  return { args: ['-Z', major >= 16 ? `gzip:${ARCHIVE_GZIP_LEVEL}` : String(ARCHIVE_GZIP_LEVEL)], compression: 'gzip' }
}

/** Parallel jobs when none are asked for: one per CPU. */
function defaultJobs(): number {
  return Math.max(1, availableParallelism())
}

async function maintenanceAdapter(adapter: Adapter): Promise<Adapter> {
  let lastError: unknown
  for (const database of ['postgres', 'template1']) {
    try {
      return await openAdapter({ ...adapter.connection, database })
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}

export const postgresBackup: BackupDriver = {
  dialect: 'postgres',
  completeMarker: /^-- PostgreSQL database dump complete\s*$/m,

  async planDump(adapter, request): Promise<DumpPlan> {
    const tool = await requireTool(POSTGRES_TOOLS.dump, 'back up PostgreSQL databases')
    const remedy =
      'Read the pg_dump message above; check the user may read every table (or use a superuser for backups).'
    const what = `pg_dump of ${adapter.connection.database}`
    if (request.format === 'directory') {
      const archive = archiveCompression(tool.major, request.compress)
      const jobs = Math.max(1, request.jobs ?? defaultJobs())
      return {
        format: 'directory',
        extension: DIRECTORY_EXTENSION,
        tool: tool.name,
        toolVersion: tool.version,
        ownCompression: archive.compression,
        jobs,
        async writeDirectory(path, signal) {
          // Migr8 fsyncs every file itself while hashing them, so pg_dump's own sync pass is skipped.
          const args = ['-w', '--no-sync', '-Fd', '-j', String(jobs), ...archive.args, '-f', path]
          const credentials = postgresCredentials(adapter.connection)
          try {
            const running = spawnTool(tool, args, {
              env: credentials.env,
              signal,
              stdout: 'ignore',
              failure: 'BACKUP_FAILED',
              what,
              remedy,
              processGroup: true,
            })
            await running.exited
          } finally {
            credentials.dispose()
          }
        },
      }
    }
    const custom = request.format === 'custom' ? archiveCompression(tool.major, request.compress) : undefined
    const args = ['-w', '--no-sync', custom ? '-Fc' : '-Fp', ...(custom?.args ?? [])]
    return {
      format: custom ? 'custom' : 'plain',
      extension: custom ? '.dump' : '.sql',
      tool: tool.name,
      toolVersion: tool.version,
      ownCompression: custom?.compression,
      stream(signal, output) {
        const credentials = postgresCredentials(adapter.connection)
        const running = spawnTool(tool, args, {
          env: credentials.env,
          signal,
          stdout: output ?? 'pipe',
          failure: 'BACKUP_FAILED',
          what,
          remedy,
        })
        const exited = running.exited.finally(() => credentials.dispose())
        exited.catch(() => undefined)
        return { stream: running.child.stdout, exited, kill: running.kill }
      },
    }
  },

  async verifyArchive(path, _record, _scratchDir, context) {
    const tool = await requireTool(POSTGRES_TOOLS.restore, 'verify custom and directory-format PostgreSQL backups')
    // `pg_restore --list` only reads the table of contents and exits 0 on a truncated archive;
    // writing the whole script to /dev/null decompresses and reads every byte (of every file of a
    // directory archive: pg_restore recognises the folder by itself).
    const running = spawnTool(tool, ['-f', devNull, path], {
      env: process.env,
      signal: context.signal,
      failure: 'BACKUP_CORRUPT',
      what: `pg_restore read pass of ${path}`,
      remedy: 'This backup cannot be restored; use an older backup and delete this one.',
    })
    context.onProgress?.({ phase: 'reading archive (pg_restore)' })
    await running.exited
    return `pg_restore -f ${devNull}`
  },

  async resolveTarget(adapter, _config: Migr8Config, targetDb): Promise<RestoreTarget> {
    const name = targetDb ?? adapter.connection.database
    if (!DATABASE_NAME.test(name)) {
      throw new Migr8Error(
        'BAD_USAGE',
        `"${name}" is not a database name Migr8 will create.`,
        'Use letters, digits, _ , $ or - (starting with a letter or _), at most 63 characters.',
      )
    }
    const rows = await adapter.query('SELECT 1 AS present FROM pg_database WHERE datname = ?', [name])
    return { name, same: name === adapter.connection.database, exists: rows.length > 0 }
  },

  async prepareTarget(adapter, target) {
    // The new database copies the encoding, locale and owner of the configured one.
    const [source] = await adapter.query<{ encoding: string; collate: string; ctype: string; owner: string }>(
      `SELECT pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype, r.rolname AS owner
       FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = current_database()`,
    )
    const quote = (value: string) => `'${value.replace(/'/g, "''")}'`
    const create =
      `CREATE DATABASE ${adapter.quoteIdent(target.name)} TEMPLATE template0 ENCODING ${quote(source.encoding)}` +
      ` LC_COLLATE ${quote(source.collate)} LC_CTYPE ${quote(source.ctype)}`
    const admin = target.same ? await maintenanceAdapter(adapter) : adapter
    try {
      if (target.exists) await admin.query(`DROP DATABASE IF EXISTS ${admin.quoteIdent(target.name)} WITH (FORCE)`)
      await admin.query(create)
      await admin
        .query(`ALTER DATABASE ${admin.quoteIdent(target.name)} OWNER TO ${admin.quoteIdent(source.owner)}`)
        .catch(() => undefined)
    } finally {
      if (admin !== adapter) await admin.close()
    }
  },

  async load(adapter, record: BackupRecord, input: LoadInput, target, options, context: RunContext) {
    const credentials = postgresCredentials(adapter.connection, target.name)
    credentials.env.PGOPTIONS = `${credentials.env.PGOPTIONS ?? ''} -c client_min_messages=warning`.trim()
    try {
      const what = `restore of ${record.id} into ${target.name}`
      const remedy = 'Read the message above; the target database was left as the failed statement found it.'
      if (record.format === 'custom' || record.format === 'directory') {
        const tool = await requireTool(POSTGRES_TOOLS.restore, `restore ${record.format}-format PostgreSQL backups`)
        // A directory archive exists to be restored in parallel; a custom one loads in one transaction unless asked.
        const jobs = Math.max(1, options.jobs ?? (record.format === 'directory' ? defaultJobs() : 1))
        const args = [
          '-w',
          '--exit-on-error',
          '-d',
          target.name,
          ...(jobs > 1 ? ['-j', String(jobs)] : ['--single-transaction']),
          input.path,
        ]
        context.onProgress?.({ phase: `restoring (pg_restore${jobs > 1 ? ` -j ${jobs}` : ''})` })
        const running = spawnTool(tool, args, {
          env: credentials.env,
          signal: context.signal,
          failure: 'RESTORE_FAILED',
          what,
          remedy,
          stdout: 'ignore',
          processGroup: jobs > 1,
        })
        await running.exited
        return
      }
      const tool = await requireTool(POSTGRES_TOOLS.client, 'restore plain PostgreSQL backups')
      const args = ['-X', '-q', '-w', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', target.name]
      await loadThroughTool(
        tool,
        args,
        { env: credentials.env, failure: 'RESTORE_FAILED', what, remedy },
        input,
        context.signal,
      )
    } finally {
      credentials.dispose()
    }
  },

  async dropTarget(adapter, target) {
    if (target.same) return
    await adapter.query(`DROP DATABASE IF EXISTS ${adapter.quoteIdent(target.name)} WITH (FORCE)`)
  },
}
