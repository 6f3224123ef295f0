import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { Migr8Error } from '../../../src-shared/errors.js'
import type { Adapter } from '../../db/adapter.js'
import {
  generateSeed,
  listSeeds,
  previewSeed,
  runSeeds,
  seedDir,
  type SeedPreview,
  type SeedReport,
} from '../../seed/index.js'
import { action, type CommandContext } from '../context.js'
import { EXIT_FAILURE, formatBytes } from '../output.js'

function wholeNumber(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number')
  return n
}

function grid(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))))
  const cell = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width)
  const line = (cells: string[]) =>
    cells
      .map((c, i) => cell(c ?? '', widths[i]))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'string') return value.replace(/\r?\n/g, '⏎')
  if (value instanceof Date) return value.toISOString()
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function reportLines(reports: SeedReport[]): string[] {
  const lines: string[] = []
  for (const report of reports) {
    const tables = report.tables
      .map((t) => `${t.table}: ${t.rows.toLocaleString('en-US')} rows (${t.method})`)
      .join(', ')
    switch (report.status) {
      case 'loaded':
        lines.push(
          `loaded   ${report.name} → ${tables} in ${report.durationMs} ms (${report.rowsPerSecond.toLocaleString('en-US')} rows/s)`,
        )
        break
      case 'dry-run':
        lines.push(
          `checked  ${report.name} → ${report.tables.map((t) => `${t.table}: ${t.rows.toLocaleString('en-US')} rows`).join(', ')} (dry run, nothing written)`,
        )
        break
      case 'skipped':
        lines.push(`skipped  ${report.name} (an earlier file failed)`)
        break
      case 'failed':
        lines.push(
          `FAILED   ${report.name}: ${report.error?.message ?? 'unknown error'}`,
          `         remedy: ${report.error?.remedy ?? ''}`,
        )
        break
    }
    if (report.truncated.length > 0) lines.push(`         emptied first: ${report.truncated.join(', ')}`)
    for (const bad of report.rejected.slice(0, 20)) {
      lines.push(
        `         line ${bad.line}${bad.column ? `, column ${bad.column}` : ''}: ${bad.reason}${bad.value !== null && bad.column ? ` (value ${JSON.stringify(bad.value)})` : ''}`,
      )
    }
    if (report.rejectedCount > 20) lines.push(`         … ${report.rejectedCount - 20} more rejected rows`)
  }
  if (reports.length === 0) lines.push('No seed files found.')
  return lines
}

function previewLines(preview: SeedPreview, withTarget: boolean): string[] {
  const lines = [
    `${preview.file} → table ${preview.table}${preview.tables.length > 1 ? ` (file also holds: ${preview.tables.filter((t) => t !== preview.table).join(', ')})` : ''}`,
    `${formatBytes(preview.bytes)}, ${preview.exactRowCount ? '' : '~'}${preview.estimatedRows.toLocaleString('en-US')} rows${preview.delimiter ? `, delimiter ${JSON.stringify(preview.delimiter)}` : ''}`,
    '',
    ...grid(
      ['COLUMN', 'LOOKS LIKE', ...(withTarget ? ['TABLE COLUMN TYPE', 'NULL?'] : []), 'PROBLEMS'],
      preview.columns.map((c) => [
        c.name,
        c.inferredType,
        ...(withTarget ? [c.target?.type ?? '—', c.target ? (c.target.nullable ? 'yes' : 'no') : ''] : []),
        c.problems.join('; '),
      ]),
    ),
  ]
  if (preview.unfilledColumns.length > 0)
    lines.push('', `not in the file (defaults apply): ${preview.unfilledColumns.join(', ')}`)
  if (preview.rows.length > 0) {
    lines.push(
      '',
      ...grid(
        ['LINE', ...preview.columns.map((c) => c.name)],
        preview.rows.map((row, i) => [String(preview.lines[i]), ...row.map(show)]),
      ),
    )
  }
  const problems = preview.problems.filter((p) => (p.kind !== 'type-mismatch' && p.kind !== 'not-null') || !p.column)
  if (problems.length > 0) lines.push('', 'problems:', ...problems.map((p) => `  ${p.message}`))
  if (preview.badRows.length > 0) {
    lines.push(
      '',
      'bad rows:',
      ...preview.badRows.map(
        (b) =>
          `  line ${b.line}${b.column ? `, column ${b.column}` : ''}: ${b.reason}${b.value !== null && b.column ? ` (value ${JSON.stringify(b.value)})` : ''}`,
      ),
    )
  }
  return lines
}

/** Opens the database for a preview; without one the file is still shown (types, rows, estimate). */
async function optionalAdapter(context: CommandContext): Promise<Adapter | undefined> {
  try {
    return await context.adapter()
  } catch (error) {
    if (error instanceof Migr8Error && error.code === 'CANCELLED') throw error
    context.output.log(
      'warn',
      `previewing without the database (${error instanceof Error ? error.message : String(error)})`,
    )
    return undefined
  }
}

export function registerSeedCommands(program: Command): void {
  const seed = program.command('seed').description('preview, load and capture seed data (CSV and YAML files)')

  const run: Command = seed
    .command('run [files...]')
    .description('load seed files (default: every file in the seed folder, in order), each in one transaction')
    .option('--truncate', 'empty each target table first (TRUNCATE … CASCADE / DELETE)')
    .option('--dry-run', 'parse and check every row, write nothing')
    .option('--validate', 'check and convert every value before sending it; stop at the first bad one')
    .action(
      action(
        () => run,
        async (context, files: string[]) => {
          const options = run.opts<{ truncate?: boolean; dryRun?: boolean; validate?: boolean }>()
          const reports = await runSeeds(
            await context.adapter(),
            context.config,
            { ...options, files },
            context.output.context(context.signal),
          )
          context.output.result(reportLines(reports), { reports })
          return reports.some((report) => report.status === 'failed') ? EXIT_FAILURE : undefined
        },
      ),
    )

  const preview: Command = seed
    .command('preview <file>')
    .description('show the first rows of a seed file, their types and how they map onto the table')
    .option('--rows <n>', 'rows to show', wholeNumber, 20)
    .option('--table <name>', 'target table (default: from the file name)')
    .option('--delimiter <char>', 'CSV delimiter (default: detected)')
    .option('--no-db', 'do not connect: show the file only')
    .action(
      action(
        () => preview,
        async (context, file: string) => {
          const options = preview.opts<{ rows: number; table?: string; delimiter?: string; db: boolean }>()
          const adapter = options.db ? await optionalAdapter(context) : undefined
          const result = await previewSeed(
            adapter,
            file,
            { rows: options.rows, table: options.table, delimiter: options.delimiter, seeds: context.config.seeds },
            context.output.context(context.signal),
          )
          context.output.result(previewLines(result, !!adapter), result)
        },
      ),
    )

  const generate: Command = seed
    .command('generate')
    .description('write rows of a table to a seed file (streamed)')
    .requiredOption('--table <name>', 'table to read')
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'yaml']).default('csv'))
    .option('--where <condition>', 'SQL condition selecting the rows (your own database)')
    .option('--limit <n>', 'at most n rows', wholeNumber)
    .option('--out <file>', 'file to write (default: standard output)')
    .action(
      action(
        () => generate,
        async (context) => {
          const options = generate.opts<{
            table: string
            format: 'csv' | 'yaml'
            where?: string
            limit?: number
            out?: string
          }>()
          if (!options.out && context.output.options.json) {
            throw new Migr8Error(
              'BAD_USAGE',
              '--json needs --out: the seed data itself would be written to standard output.',
              'Add --out FILE.',
            )
          }
          const out = options.out ? resolve(options.out) : process.stdout
          const nullValue = context.config.seeds.nullValues[0] ?? ''
          const report = await generateSeed(
            await context.adapter(),
            { ...options, nullValue },
            out,
            context.output.context(context.signal),
          )
          if (options.out)
            context.output.result(
              `wrote ${report.rows.toLocaleString('en-US')} rows of ${report.table} to ${options.out} (${formatBytes(report.bytes)})`,
              report,
            )
        },
      ),
    )

  const list: Command = seed
    .command('list')
    .description('list the seed files in run order with their tables')
    .action(
      action(
        () => list,
        async (context) => {
          const sources = listSeeds(context.config)
          const lines = sources.length
            ? grid(
                ['FILE', 'TABLE', 'FORMAT', 'SIZE'],
                sources.map((s) => [s.name, s.table, s.format, formatBytes(s.bytes)]),
              )
            : [`No seed files in ${seedDir(context.config)}.`]
          context.output.result(lines, { dir: seedDir(context.config), files: sources })
        },
      ),
    )
}
