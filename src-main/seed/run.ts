import { Migr8Error, cancelled, throwIfAborted, toErrorPayload } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import type { Adapter, ColumnInfo } from '../db/adapter.js'
import { MAX_CSV_COLUMNS, readCsvHead } from './csv.js'
import { parseCsvBatches, type CsvParseJob } from './csv-batches.js'
import type { LoaderSession, RowWriter, SeedLoader } from './loader.js'
import { describeForSeed, loaderFor, type LoaderOptions } from './loaders.js'
import { RowError, assertLoadable, mapColumns, rowConverter } from './mapping.js'
import { listSeeds, resolveSeedFiles } from './sources.js'
import type { BadRow, LoadMethod, RunSeedsOptions, SeedReport, SeedSource, SeedTableReport } from './types.js'
import { readYamlSeed } from './yaml.js'

/** Bad rows kept in a dry run's report (all are counted). */
const MAX_REPORTED_BAD_ROWS = 100

interface FileRun {
  source: SeedSource
  adapter: Adapter
  options: RunSeedsOptions & LoaderOptions
  nullValues: string[]
  delimiter?: string
  ctx: RunContext
  report: SeedReport
  started: number
  loader: SeedLoader
  /** Check and convert every value in the engine (--validate, --dry-run, or a database that does not). */
  checkValues: boolean
}

export async function describeOrFail(adapter: Adapter, table: string, file: string): Promise<ColumnInfo[]> {
  const columns = await describeForSeed(adapter, table)
  if (!columns) {
    throw new Migr8Error(
      'TABLE_MISSING',
      `${file}: the table ${table} does not exist.`,
      'Run the migrations that create it first (migr8 up), or map the file to another table in seeds.tables.',
      { table },
    )
  }
  return columns
}

function badRowError(file: string, bad: BadRow): Migr8Error {
  const where = bad.column ? `, column ${bad.column}` : ''
  const value = bad.value === null ? ' (NULL)' : bad.column ? ` (value ${JSON.stringify(bad.value)})` : ''
  return new Migr8Error(
    'SEED_FAILED',
    `${file}, line ${bad.line}${where}: ${bad.reason}${value}.`,
    'Fix that value in the seed file and run again; nothing from this file was written.',
    { ...bad },
  )
}

/** Collects rejected rows: the first one fails the file, except in a dry run which lists them. */
function rejecter(run: FileRun): (bad: BadRow) => void {
  return (bad) => {
    run.report.rejectedCount++
    if (run.report.rejected.length < MAX_REPORTED_BAD_ROWS) run.report.rejected.push(bad)
    if (!run.options.dryRun) throw badRowError(run.source.name, bad)
  }
}

function progress(run: FileRun, rows: number, bytes?: number): void {
  const seconds = (performance.now() - run.started) / 1000
  const rate = seconds > 0 ? rows / seconds : undefined
  run.ctx.onProgress?.({
    phase: `seeding ${run.source.name}`,
    done: rows,
    unit: 'rows',
    rate,
    message:
      bytes !== undefined && run.source.bytes > 0
        ? `${Math.min(100, Math.floor((100 * bytes) / run.source.bytes))}% of the file`
        : undefined,
  })
}

async function loadCsv(run: FileRun, session: LoaderSession | undefined): Promise<SeedTableReport> {
  const { source, adapter, options } = run
  const head = await readCsvHead(source.file, 1, run.delimiter)
  if (head.header.length === 0 || (head.header.length === 1 && head.header[0] === '')) {
    throw new Migr8Error(
      'SEED_INVALID',
      `${source.name} is empty: a CSV seed needs a header row.`,
      'Add a header row naming the table columns.',
    )
  }
  if (head.header.length > MAX_CSV_COLUMNS) {
    throw new Migr8Error(
      'SEED_INVALID',
      `${source.name} has ${head.header.length} columns; Migr8 accepts at most ${MAX_CSV_COLUMNS}.`,
      'Check the delimiter (seeds.delimiter) and the header row.',
    )
  }
  const columns = await describeOrFail(adapter, source.table, source.name)
  const targets = assertLoadable(mapColumns(head.header, columns, source.table), source.name, source.table)
  const job = {
    file: source.file,
    name: source.name,
    format: head.format,
    targets,
    dialect: adapter.dialect,
    nullValues: run.nullValues,
    convert: run.checkValues,
    stopAtFirstBad: !options.dryRun,
  }
  if (session?.binaryRows && !options.dryRun && !options.noBinary) {
    const loaded = await loadCsvBinary(run, session, job)
    if (loaded) return loaded
  }
  const fast = session?.csvPassthrough && !options.validate && !options.dryRun && !options.noPassthrough
  if (fast) {
    const loaded = await session.csvPassthrough!(
      { table: source.table, columns: targets },
      {
        file: source.file,
        bytes: source.bytes,
        delimiter: head.format.delimiter,
        newline: head.format.newline,
        nullValues: run.nullValues,
        columns: targets,
        signal: run.ctx.signal,
        onBytes: (bytes) => progress(run, Math.round((head.rowCount / Math.max(head.rowBytes, 1)) * bytes), bytes),
      },
    )
    if (loaded) return { table: source.table, rows: loaded.rows, method: loaded.method }
  }
  const reject = rejecter(run)
  const writer = session ? await session.rows({ table: source.table, columns: targets }) : undefined
  const text = writer?.writeText ? writer.textFormat : undefined
  let rows = 0
  try {
    await parseCsvBatches(
      { ...job, text },
      (batch) => {
        for (const bad of batch.bad) reject(bad)
        rows += batch.lines.length
        progress(run, rows, batch.bytes)
        if (!writer || batch.lines.length === 0) return
        if (batch.text !== undefined) return writer.writeText!(batch.text, batch.lines)
        const values = batch.values!
        if (writer.writeFlat) return writer.writeFlat(values, batch.lines)
        const width = targets.length
        const nested: unknown[][] = []
        for (let at = 0; at < values.length; at += width) nested.push(values.slice(at, at + width))
        return writer.write(nested, batch.lines)
      },
      run.ctx.signal,
    )
    const written = writer ? await writer.finish() : rows
    return { table: source.table, rows: written, method: writer?.method ?? 'none' }
  } catch (error) {
    await writer?.abort()
    throw error
  }
}

/**
 * PostgreSQL: the rows parsed (and, with --validate, checked) by the engine, in a worker thread, and
 * sent in binary COPY format, which the server loads without parsing each value's text. Undefined
 * when the table's types have no binary encoder, or when a value turns out to have no binary form:
 * then nothing of the attempt is left, and the caller loads the file another way.
 */
async function loadCsvBinary(
  run: FileRun,
  session: LoaderSession,
  job: CsvParseJob,
): Promise<SeedTableReport | undefined> {
  const writer = await session.binaryRows!({ table: run.source.table, columns: job.targets })
  if (!writer) return undefined
  const reject = rejecter(run)
  let rows = 0
  let refused = false
  try {
    await parseCsvBatches(
      { ...job, binary: true },
      (batch) => {
        for (const bad of batch.bad) reject(bad)
        if (batch.notBinary) {
          refused = true
          return
        }
        rows += batch.lines.length
        progress(run, rows, batch.bytes)
        if (batch.lines.length > 0) return writer.writeBinary(batch.binary!, batch.lines)
      },
      run.ctx.signal,
    )
  } catch (error) {
    await writer.abort()
    throw error
  }
  if (refused) {
    await writer.retract()
    return undefined
  }
  return { table: run.source.table, rows: await writer.finish(), method: writer.method }
}

async function loadYaml(
  run: FileRun,
  session: LoaderSession | undefined,
  truncated: Set<string>,
): Promise<SeedTableReport[]> {
  const { source, adapter, options } = run
  const groups = await readYamlSeed(source.file, source.table)
  const reports: SeedTableReport[] = []
  const reject = rejecter(run)
  let total = 0
  for (const group of groups) {
    throwIfAborted(run.ctx.signal)
    const columns = await describeOrFail(adapter, group.table, source.name)
    assertLoadable(mapColumns(group.columns, columns, group.table), source.name, group.table)
    if (session && options.truncate && !truncated.has(group.table)) {
      for (const table of await session.truncate(group.table)) truncated.add(table)
      run.report.truncated.push(...[...truncated].filter((table) => !run.report.truncated.includes(table)))
    }
    let rows = 0
    let method: LoadMethod = 'none'
    // Rows with the same keys share one writer; a key left out gets the column default.
    let index = 0
    while (index < group.rows.length) {
      const keys = Object.keys(group.rows[index])
      const signature = keys.join('\u0000')
      let end = index + 1
      while (end < group.rows.length && Object.keys(group.rows[end]).join('\u0000') === signature) end++
      const mapping = mapColumns(keys, columns, group.table)
      const targets = mapping.targets as ColumnInfo[]
      const convert = rowConverter(targets, {
        dialect: adapter.dialect,
        convert: run.checkValues,
      })
      const values: unknown[][] = []
      const lines: number[] = []
      for (let i = index; i < end; i++) {
        const row = group.rows[i]
        try {
          values.push(
            convert(
              keys.map((key) => row[key]),
              group.lines[i],
            ),
          )
          lines.push(group.lines[i])
        } catch (error) {
          if (!(error instanceof RowError)) throw error
          reject(error.bad)
        }
      }
      if (session && values.length > 0) {
        const writer: RowWriter = await session.rows({ table: group.table, columns: targets })
        try {
          await writer.write(values, lines)
          rows += await writer.finish()
        } catch (error) {
          await writer.abort()
          throw error
        }
        method = writer.method
      } else {
        rows += values.length
      }
      total += values.length
      progress(run, total)
      index = end
    }
    reports.push({ table: group.table, rows, method })
  }
  return reports
}

async function runFile(run: FileRun): Promise<void> {
  const { source, adapter, options, report } = run
  const body = async (session: LoaderSession | undefined) => {
    const truncated = new Set<string>()
    if (source.format === 'csv') {
      if (session && options.truncate) {
        await describeOrFail(adapter, source.table, source.name)
        for (const table of await session.truncate(source.table)) truncated.add(table)
        report.truncated.push(...truncated)
      }
      return [await loadCsv(run, session)]
    }
    return loadYaml(run, session, truncated)
  }
  const tables = options.dryRun ? await body(undefined) : await run.loader.transaction((session) => body(session))
  if (options.dryRun && report.rejectedCount > 0) {
    throw new Migr8Error(
      'SEED_INVALID',
      `${source.name}: ${report.rejectedCount} row${report.rejectedCount === 1 ? '' : 's'} would be rejected.`,
      'Fix the rows listed and run again.',
    )
  }
  report.tables = tables
  report.rowsInserted = tables.reduce((sum, table) => sum + table.rows, 0)
}

/**
 * Loads seed files in order, each in one transaction (all or nothing): the fastest path per dialect
 * unless `validate` (check every value first, stop at the first bad one) or `dryRun` (check
 * everything, write nothing). Returns one report per file; a failed file stops the run (later files
 * are reported as skipped). Cancelling rolls back the current file and throws CANCELLED.
 */
export async function runSeeds(
  adapter: Adapter,
  config: Migr8Config,
  options: RunSeedsOptions & LoaderOptions = {},
  ctx: RunContext = {},
): Promise<SeedReport[]> {
  const sources =
    options.files && options.files.length > 0 ? resolveSeedFiles(config, options.files) : listSeeds(config)
  const truncate = options.truncate ?? config.seeds.truncate
  const loader = await loaderFor(adapter, options)
  const reports: SeedReport[] = []
  let stopped = false
  for (const source of sources) {
    const report: SeedReport = {
      file: source.file,
      name: source.name,
      format: source.format,
      status: 'skipped',
      rowsInserted: 0,
      tables: [],
      rejected: [],
      rejectedCount: 0,
      truncated: [],
      bytes: source.bytes,
      durationMs: 0,
      rowsPerSecond: 0,
    }
    reports.push(report)
    if (stopped) continue
    const started = performance.now()
    try {
      throwIfAborted(ctx.signal)
      ctx.onLog?.('info', `seeding ${source.name} → ${source.table}`)
      await runFile({
        source,
        adapter,
        options: { ...options, truncate },
        nullValues: config.seeds.nullValues,
        delimiter: config.seeds.delimiter,
        ctx,
        report,
        started,
        loader,
        checkValues: !!(options.validate || options.dryRun) || !loader.checksValues,
      })
      report.status = options.dryRun ? 'dry-run' : 'loaded'
    } catch (error) {
      if (ctx.signal?.aborted || (error instanceof Migr8Error && error.code === 'CANCELLED')) {
        throw new Migr8Error(
          'CANCELLED',
          `Seeding was cancelled during ${source.name}; that file was rolled back.`,
          'Start it again when ready.',
          { reports },
          error,
        )
      }
      const payload = toErrorPayload(error)
      const line = (error as Migr8Error).details?.line
      report.status = 'failed'
      report.rowsInserted = 0
      report.error = {
        code: payload.code,
        message: payload.message,
        remedy: payload.remedy,
        ...(typeof line === 'number' ? { line } : {}),
      }
      if (!options.dryRun) report.truncated = []
      if (options.stopOnError !== false && !options.dryRun) stopped = true
    } finally {
      report.durationMs = Math.round(performance.now() - started)
      report.rowsPerSecond = report.durationMs > 0 ? Math.round((report.rowsInserted * 1000) / report.durationMs) : 0
    }
  }
  if (ctx.signal?.aborted) throw cancelled()
  return reports
}
