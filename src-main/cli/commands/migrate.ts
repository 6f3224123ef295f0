import { Command, InvalidArgumentError, Option } from 'commander'
import { Migr8Error } from '../../../src-shared/errors.js'
import { OUT_OF_ORDER_POLICIES, type OutOfOrderPolicy } from '../../config/schema.js'
import {
  createMigration,
  Migrator,
  type MigrationStatus,
  type RunResult,
  type StatusEntry,
} from '../../migrate/index.js'
import { action, type CommandContext } from '../context.js'
import { EXIT_FAILURE } from '../output.js'

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more')
  return n
}

async function migrator(context: CommandContext): Promise<Migrator> {
  return new Migrator(await context.adapter(), context.config.migrations)
}

const STATE_LABELS: Record<StatusEntry['state'], string> = {
  applied: 'applied',
  pending: 'pending',
  partial: 'PARTIAL',
  partial_down: 'PARTIAL (down)',
  missing_file: 'MISSING FILE',
  checksum_drift: 'EDITED',
  out_of_order: 'out of order',
}

function statusTable(status: MigrationStatus): string[] {
  const rows = status.entries.map((e) => [
    e.version,
    e.name,
    STATE_LABELS[e.state],
    e.appliedAt ? e.appliedAt.replace('T', ' ').slice(0, 19) : '',
    e.executionMs !== undefined ? `${e.executionMs} ms` : '',
  ])
  const header = ['VERSION', 'NAME', 'STATE', 'APPLIED AT (UTC)', 'TOOK']
  // Loops rather than Math.max(...column) and map/join per row: this runs for every migration.
  const widths = header.map((h) => h.length)
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i], cell.length)
  const line = (cells: string[]) => {
    let text = cells[0].padEnd(widths[0])
    for (let i = 1; i < cells.length; i++) text += `  ${cells[i].padEnd(widths[i])}`
    return text.trimEnd()
  }
  const lines = status.entries.length ? [line(header), ...rows.map(line)] : ['No migrations found.']
  lines.push('', `current version: ${status.current ?? 'none'}; pending: ${status.pending}`)
  if (status.lock) lines.push(`lock: held by ${status.lock.owner} since ${status.lock.since}`)
  for (const problem of status.problems) lines.push(`problem: ${problem}`)
  return lines
}

function runSummary(result: RunResult, nothing: string): string[] {
  if (result.dryRunSql !== undefined) return [result.dryRunSql.trimEnd() || `-- ${nothing}`]
  if (result.steps.length === 0) return [nothing]
  const lines = result.steps.map(
    (s) => `${s.direction === 'up' ? 'applied    ' : 'rolled back'} ${s.version}_${s.name} (${s.durationMs} ms)`,
  )
  lines.push(`current version: ${result.current ?? 'none'}`)
  return lines
}

export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('apply, roll back and inspect schema migrations')

  const up: Command = migrate
    .command('up')
    .description('apply pending migrations')
    .option('--to <version>', 'stop after this version')
    .option('--step <n>', 'apply at most n migrations', positiveInt)
    .option('--dry-run', 'print the SQL without running it')
    .addOption(
      new Option('--out-of-order <policy>', 'what to do with pending files older than the newest applied').choices(
        OUT_OF_ORDER_POLICIES,
      ),
    )
    .action(
      action(
        () => up,
        async (context) => {
          const options = up.opts<{ to?: string; step?: number; dryRun?: boolean; outOfOrder?: OutOfOrderPolicy }>()
          const result = await (await migrator(context)).up(options, context.output.context(context.signal))
          context.output.result(runSummary(result, 'Nothing to apply: the database is up to date.'), result)
        },
      ),
    )

  const down: Command = migrate
    .command('down')
    .description('roll back migrations (default: the newest one)')
    .option('--to <version>', 'roll back everything after this version (0: everything)')
    .option('--step <n>', 'roll back n migrations', positiveInt)
    .option('--all', 'roll back every migration')
    .option('--dry-run', 'print the SQL without running it')
    .action(
      action(
        () => down,
        async (context) => {
          const options = down.opts<{ to?: string; step?: number; all?: boolean; dryRun?: boolean }>()
          const result = await (
            await migrator(context)
          ).down({ ...options, to: options.all ? '0' : options.to }, context.output.context(context.signal))
          context.output.result(runSummary(result, 'Nothing to roll back.'), result)
        },
      ),
    )

  const goto: Command = migrate
    .command('goto <version>')
    .description('migrate up or down to exactly this version')
    .option('--dry-run', 'print the SQL without running it')
    .action(
      action(
        () => goto,
        async (context, version: string) => {
          const result = await (
            await migrator(context)
          ).goto(version, goto.opts(), context.output.context(context.signal))
          context.output.result(runSummary(result, `Already at ${version}.`), result)
        },
      ),
    )

  const redo: Command = migrate
    .command('redo')
    .description('roll back the newest migration and apply it again')
    .option('--dry-run', 'print the SQL without running it')
    .action(
      action(
        () => redo,
        async (context) => {
          const result = await (await migrator(context)).redo(redo.opts(), context.output.context(context.signal))
          context.output.result(runSummary(result, 'Nothing to redo.'), result)
        },
      ),
    )

  const status: Command = migrate
    .command('status')
    .description('list every migration with its state')
    .option('--journal [n]', 'also print the newest n journal events (default 20)')
    .action(
      action(
        () => status,
        async (context) => {
          const m = await migrator(context)
          const result = await m.status()
          const { journal } = status.opts<{ journal?: string | boolean }>()
          const lines = statusTable(result)
          let events: Awaited<ReturnType<Migrator['journal']>> = []
          if (journal) {
            events = await m.journal(journal === true ? 20 : positiveInt(journal))
            lines.push(
              '',
              'journal (newest first):',
              ...events.map(
                (e) =>
                  `${e.at.toISOString()}  ${e.event.padEnd(14)} ${e.version ?? ''}  ${e.actor}${e.durationMs !== null ? `  ${e.durationMs} ms` : ''}${e.detail ? `  ${e.detail}` : ''}`,
              ),
            )
          }
          context.output.result(lines, journal ? { ...result, journal: events } : result)
        },
      ),
    )

  const validate: Command = migrate
    .command('validate')
    .description('check files and history: edits, missing files, stopped runs, unparsable scripts')
    .action(
      action(
        () => validate,
        async (context) => {
          const result = await (await migrator(context)).validate()
          context.output.result(
            result.ok ? 'All migrations are valid.' : result.problems.map((p) => `problem: ${p}`),
            result,
          )
          return result.ok ? 0 : EXIT_FAILURE
        },
      ),
    )

  const repair: Command = migrate
    .command('repair')
    .description('settle a stopped migration, or re-record checksums of files edited on purpose')
    .option('--mark-applied <version>', 'the stopped migration was finished by hand')
    .option('--forget <version>', 'the stopped migration was undone by hand')
    .option('--checksums', 're-record checksums of edited applied files')
    .action(
      action(
        () => repair,
        async (context) => {
          const options = repair.opts<{ markApplied?: string; forget?: string; checksums?: boolean }>()
          if (!options.markApplied && !options.forget && !options.checksums) {
            throw new Migr8Error(
              'BAD_USAGE',
              'migrate repair needs --mark-applied VERSION, --forget VERSION or --checksums.',
              'Run `migr8 migrate status` to see which migration needs repair.',
            )
          }
          const result = await (await migrator(context)).repair(options, context.output.context(context.signal))
          context.output.result(result.actions.length ? result.actions : 'Nothing needed repair.', result)
        },
      ),
    )

  const resume: Command = migrate
    .command('resume')
    .description('continue a migration that stopped part-way, after its last good statement')
    .option('--dry-run', 'print the SQL without running it')
    .action(
      action(
        () => resume,
        async (context) => {
          const result = await (await migrator(context)).resume(resume.opts(), context.output.context(context.signal))
          context.output.result(runSummary(result, 'Nothing to resume.'), result)
        },
      ),
    )

  const baseline: Command = migrate
    .command('baseline <version>')
    .description('record every migration up to version as applied, without running them')
    .action(
      action(
        () => baseline,
        async (context, version: string) => {
          const result = await (await migrator(context)).baseline(version, context.output.context(context.signal))
          context.output.result([`baselined ${result.steps.length} migration(s) up to ${version}`], result)
        },
      ),
    )

  const markApplied: Command = migrate
    .command('mark-applied <version>')
    .description('record one migration as applied without running it')
    .action(
      action(
        () => markApplied,
        async (context, version: string) => {
          const result = await (await migrator(context)).markApplied(version, context.output.context(context.signal))
          context.output.result([`marked ${version} as applied`], result)
        },
      ),
    )

  const create: Command = migrate
    .command('create <name>')
    .description('write a new empty migration')
    .addOption(new Option('--format <format>', 'file style').choices(['golang-migrate', 'dbmate']))
    .option('--sequential', 'number versions 000001, 000002, … instead of timestamps')
    .action(
      action(
        () => create,
        async (context, name: string) => {
          const options = create.opts<{ format?: 'golang-migrate' | 'dbmate'; sequential?: boolean }>()
          const settings = context.config.migrations
          const files = createMigration({
            dir: settings.dir,
            name,
            format: options.format ?? settings.create.format,
            versions: options.sequential ? 'sequential' : settings.create.versions,
          })
          context.output.result(
            files.map((f) => `created ${f}`),
            { files },
          )
        },
      ),
    )
}
