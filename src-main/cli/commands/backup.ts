import type { Command } from 'commander'
import { Migr8Error } from '../../../src-shared/errors.js'
import { parseDuration } from '../../config/schema.js'
import {
  cleanBackups,
  createBackup,
  deleteBackup,
  listBackups,
  restoreBackup,
  verifyBackup,
  type BackupRecord,
} from '../../backup/index.js'
import { action } from '../context.js'
import { formatBytes } from '../output.js'

interface CreateFlags {
  label?: string
  format?: string
  compress?: string | false
  jobs?: string
}

interface RestoreFlags {
  targetDb?: string
  force?: boolean
  safetyBackup?: boolean
  jobs?: string
}

interface CleanFlags {
  keep?: string
  maxAge?: string
  dryRun?: boolean
}

function describe(record: BackupRecord): string {
  const parts = [
    record.id,
    record.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    formatBytes(record.sizeCompressed).padStart(10),
    `${record.format}/${record.compression}`.padEnd(12),
    record.verifiedAt ? 'verified  ' : 'unverified',
    record.migrationVersion ? `migration ${record.migrationVersion}` : 'no migrations',
  ]
  if (record.label) parts.push(`"${record.label}"`)
  return parts.join('  ')
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new Migr8Error(
    'BAD_USAGE',
    `${flag} ${value} is not one of ${allowed.join(', ')}.`,
    `Use ${flag} ${allowed.join('|')}.`,
  )
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new Migr8Error('BAD_USAGE', `${flag} ${value} is not a positive whole number.`, `Write e.g. ${flag} 7.`)
  return Number(value)
}

/** `migr8 backup create|list|verify|restore|clean|delete` */
export function registerBackupCommands(program: Command): void {
  const backup = program
    .command('backup')
    .description('back up, verify, restore and clean backups of the configured database')

  const create: Command = backup
    .command('create')
    .description('back up the database into the backup folder (backups.dir)')
    .option('--label <text>', 'a note stored with the backup')
    .option(
      '--format <format>',
      'plain (SQL, default), custom (PostgreSQL pg_dump archive: parallel restore) or directory (PostgreSQL pg_dump -Fd: parallel dump and restore)',
    )
    .option('--compress <method>', 'auto (zstd if installed, else gzip), gzip, zstd or none')
    .option('--no-compress', 'store the dump uncompressed')
    .option('--jobs <n>', 'parallel pg_dump jobs for --format directory (default: the number of CPUs)')
    .action(
      action(
        () => create,
        async (ctx, flags: CreateFlags) => {
          const compress =
            flags.compress === false
              ? 'none'
              : oneOf(flags.compress, ['auto', 'gzip', 'zstd', 'none'] as const, '--compress')
          const format = oneOf(flags.format, ['plain', 'custom', 'directory'] as const, '--format')
          const record = await createBackup(
            await ctx.adapter(),
            ctx.config,
            { label: flags.label, format, compress, jobs: positiveInteger(flags.jobs, '--jobs') },
            ctx.output.context(ctx.signal),
          )
          const ratio =
            record.sizeRaw !== null && record.sizeRaw > 0
              ? ` (${((100 * record.sizeCompressed) / record.sizeRaw).toFixed(0)}% of ${formatBytes(record.sizeRaw)})`
              : ''
          ctx.output.result(
            [
              `backup ${record.id} created: ${record.file}, ${formatBytes(record.sizeCompressed)}${ratio} in ${(record.durationMs / 1000).toFixed(1)} s`,
              `sha256 ${record.sha256}`,
            ],
            record,
          )
        },
      ),
    )

  const list: Command = backup
    .command('list')
    .description('list complete backups (newest first) and report anything else in the backup folder')
    .action(
      action(
        () => list,
        async (ctx) => {
          const result = await listBackups(ctx.config)
          const lines = result.backups.length > 0 ? result.backups.map(describe) : [`no backups in ${result.dir}`]
          for (const problem of result.problems) lines.push(`warning: ${problem.message}`)
          ctx.output.result(lines, result)
        },
      ),
    )

  const verify: Command = backup
    .command('verify')
    .argument('<id>', 'backup id as `backup list` prints it')
    .description('check the checksum and read the whole backup back; marks it verified')
    .action(
      action(
        () => verify,
        async (ctx, id: string) => {
          const result = await verifyBackup(ctx.config, id, ctx.output.context(ctx.signal))
          ctx.output.result(
            `backup ${id} verified: ${result.check} (${(result.durationMs / 1000).toFixed(1)} s)`,
            result,
          )
        },
      ),
    )

  const restore: Command = backup
    .command('restore')
    .argument('<id>', 'backup id as `backup list` prints it')
    .description(
      'verify a backup, then restore it into a new database (--target-db) or, with --force, replace the configured one',
    )
    .option('--target-db <name>', 'restore into this new database (SQLite: a file path) instead of the configured one')
    .option('--force', 'replace the configured database (or an existing target): everything in it is dropped first')
    .option('--no-safety-backup', 'do not back up the database being replaced first')
    .option(
      '--jobs <n>',
      'parallel jobs for pg_restore (custom format: default 1, one transaction; directory format: default the number of CPUs)',
    )
    .action(
      action(
        () => restore,
        async (ctx, id: string, flags: RestoreFlags) => {
          const result = await restoreBackup(
            await ctx.adapter(),
            ctx.config,
            id,
            {
              targetDb: flags.targetDb,
              force: !!flags.force,
              safetyBackup: flags.safetyBackup !== false,
              jobs: positiveInteger(flags.jobs, '--jobs'),
            },
            ctx.output.context(ctx.signal),
          )
          const lines = [
            `backup ${id} restored into ${result.target}${result.replaced ? ' (replaced)' : ''} in ${(result.durationMs / 1000).toFixed(1)} s`,
          ]
          if (result.safetyBackup) lines.push(`safety backup of the previous content: ${result.safetyBackup.id}`)
          ctx.output.result(lines, result)
        },
      ),
    )

  const clean: Command = backup
    .command('clean')
    .description('delete old backups by count and age (per database; the newest verified one is always kept)')
    .option('--keep <n>', 'keep the N newest backups of each database')
    .option('--max-age <duration>', 'delete backups older than this, e.g. 30d')
    .option('--dry-run', 'only list what would be deleted')
    .action(
      action(
        () => clean,
        async (ctx, flags: CleanFlags) => {
          const maxAge = flags.maxAge === undefined ? undefined : parseDuration(flags.maxAge)
          if (flags.maxAge !== undefined && maxAge === undefined)
            throw new Migr8Error(
              'BAD_USAGE',
              `--max-age ${flags.maxAge} is not a duration.`,
              'Write e.g. --max-age 30d or --max-age 12h.',
            )
          const result = await cleanBackups(
            ctx.config,
            { keep: positiveInteger(flags.keep, '--keep'), maxAge, dryRun: !!flags.dryRun },
            ctx.output.context(ctx.signal),
          )
          const verb = result.dryRun ? 'would delete' : 'deleted'
          const lines = result.deleted.map((record) => `${verb} ${describe(record)}`)
          for (const record of result.protected) lines.push(`kept (newest verified) ${record.id}`)
          lines.push(`${verb} ${result.deleted.length} backup(s), kept ${result.kept.length + result.protected.length}`)
          ctx.output.result(lines, result)
        },
      ),
    )

  const remove: Command = backup
    .command('delete')
    .argument('<id>', 'backup id as `backup list` prints it')
    .description('delete one backup (its file and metadata)')
    .action(
      action(
        () => remove,
        async (ctx, id: string) => {
          const record = await deleteBackup(ctx.config, id)
          ctx.output.result(`deleted ${record.id} (${record.file})`, { deleted: record })
        },
      ),
    )
}
