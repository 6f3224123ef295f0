import { Migr8Error } from '../../src-shared/errors.js'
import type { Adapter } from '../db/adapter.js'
import { mysqlCredentials } from './credentials.js'
import { onlyPlainFormat, type BackupDriver, type DumpPlan, type RestoreTarget } from './driver.js'
import { spawnTool } from './process.js'
import { loadThroughTool } from './reading.js'
import { MYSQL_TOOLS, requireTool, type Tool } from './tools.js'

const DATABASE_NAME = /^[A-Za-z0-9_$][A-Za-z0-9_$-]{0,63}$/

function checkName(name: string): string {
  if (!DATABASE_NAME.test(name)) {
    throw new Migr8Error(
      'BAD_USAGE',
      `"${name}" is not a database name Migr8 will pass to the MySQL tools.`,
      'Use letters, digits, _ , $ or - (not starting with -), at most 64 characters.',
    )
  }
  return name
}

/**
 * Flags for the installed dump tool: MySQL 8's mysqldump wants `--column-statistics=0` against
 * MariaDB/older servers and `--set-gtid-purged=OFF` for a restorable dump; MariaDB's tool rejects both.
 */
export function mysqlDumpArgs(tool: Pick<Tool, 'flavour' | 'major'>, database: string): string[] {
  const args = [
    '--single-transaction',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--quick',
    '--no-tablespaces',
    '--default-character-set=utf8mb4',
  ]
  if (tool.flavour === 'mysql' && tool.major >= 8) args.push('--column-statistics=0', '--set-gtid-purged=OFF')
  return [...args, checkName(database)]
}

export const mysqlBackup: BackupDriver = {
  dialect: 'mysql',
  completeMarker: /^-- Dump completed( on .*)?\s*$/m,

  async planDump(adapter, request): Promise<DumpPlan> {
    onlyPlainFormat(request.format, 'Use --format plain (the default) for MySQL/MariaDB.')
    const tool = await requireTool(MYSQL_TOOLS.dump, 'back up MySQL/MariaDB databases')
    const args = mysqlDumpArgs(tool, adapter.connection.database)
    return {
      format: 'plain',
      extension: '.sql',
      tool: tool.name,
      toolVersion: tool.version,
      stream(signal, output) {
        const credentials = mysqlCredentials(adapter.connection, tool.flavour ?? 'mariadb')
        const running = spawnTool(tool, [...credentials.leadingArgs, ...args], {
          env: credentials.env,
          signal,
          stdout: output ?? 'pipe',
          failure: 'BACKUP_FAILED',
          what: `${tool.name} of ${adapter.connection.database}`,
          remedy: `Read the ${tool.name} message above; the user needs SELECT, SHOW VIEW, TRIGGER, EVENT and LOCK TABLES on the database.`,
        })
        const exited = running.exited.finally(() => credentials.dispose())
        exited.catch(() => undefined)
        return { stream: running.child.stdout, exited, kill: running.kill }
      },
    }
  },

  async resolveTarget(adapter, _config, targetDb): Promise<RestoreTarget> {
    const name = checkName(targetDb ?? adapter.connection.database)
    const rows = await adapter.query('SELECT 1 AS present FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
      name,
    ])
    return { name, same: name === adapter.connection.database, exists: rows.length > 0 }
  },

  async prepareTarget(adapter: Adapter, target) {
    const [source] = await adapter.query<{ cs: string; co: string }>(
      'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
    )
    const charset = source ? ` CHARACTER SET ${source.cs} COLLATE ${source.co}` : ''
    if (target.exists) await adapter.query(`DROP DATABASE IF EXISTS ${adapter.quoteIdent(target.name)}`)
    await adapter.query(`CREATE DATABASE ${adapter.quoteIdent(target.name)}${charset}`)
  },

  async load(adapter, record, input, target, _options, context) {
    const tool = await requireTool(MYSQL_TOOLS.client, 'restore MySQL/MariaDB backups')
    const credentials = mysqlCredentials(adapter.connection, tool.flavour ?? 'mariadb')
    try {
      await loadThroughTool(
        tool,
        [...credentials.leadingArgs, '--default-character-set=utf8mb4', '--batch', checkName(target.name)],
        {
          env: credentials.env,
          failure: 'RESTORE_FAILED',
          what: `restore of ${record.id} into ${target.name}`,
          remedy: `Read the ${tool.name} message above; statements before the failing one were applied.`,
        },
        input,
        context.signal,
      )
    } finally {
      credentials.dispose()
    }
  },

  async dropTarget(adapter, target) {
    if (target.same) return
    await adapter.query(`DROP DATABASE IF EXISTS ${adapter.quoteIdent(target.name)}`)
  },
}
