import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { SeedsConfig } from '../config/schema.js'
import type { Adapter, ColumnInfo } from '../db/adapter.js'
import { MAX_CSV_COLUMNS, readCsvHead } from './csv.js'
import { describeForSeed } from './loaders.js'
import { classifyTarget, compatible, emptyMeansNull, inferText, inferValue, mergeTypes } from './infer.js'
import { RowError, mapColumns, rowConverter, type ColumnMapping } from './mapping.js'
import { sourceForFile } from './sources.js'
import type { BadRow, InferredType, MappingProblem, PreviewColumn, PreviewOptions, SeedPreview } from './types.js'
import { readYamlSeed } from './yaml.js'

const MAX_BAD_ROWS = 50
const DEFAULT_SEEDS: SeedsConfig = { dir: 'seeds', truncate: false, nullValues: ['\\N', 'NULL'] }

/** Column-level problems: values that do not fit the column type, NULLs in NOT NULL columns. */
function describeColumns(
  names: string[],
  inferred: InferredType[],
  mapping: ColumnMapping | undefined,
  nullSeen: boolean[],
): { columns: PreviewColumn[]; problems: MappingProblem[] } {
  const problems: MappingProblem[] = [...(mapping?.problems ?? [])]
  const columns = names.map((name, index) => {
    const target = mapping?.targets[index]
    const column: PreviewColumn = { name, inferredType: inferred[index], problems: [] }
    for (const problem of mapping?.problems ?? []) if (problem.column === name) column.problems.push(problem.message)
    if (target) {
      column.target = { type: target.type, nullable: target.nullable, hasDefault: target.hasDefault }
      if (!compatible(inferred[index], classifyTarget(target.type))) {
        const message = `values look like ${inferred[index]} but ${target.name} is ${target.type}`
        column.problems.push(message)
        problems.push({ kind: 'type-mismatch', column: name, message })
      }
      if (!target.nullable && nullSeen[index]) {
        const message = `${target.name} is NOT NULL but the file has NULL values in it`
        column.problems.push(message)
        problems.push({ kind: 'not-null', column: name, message })
      }
    }
    return column
  })
  return { columns, problems }
}

/**
 * The first rows of a seed file, the type each column seems to hold and, with an adapter, the target
 * table's columns beside them with every mapping problem and the first bad rows. Reads only the start
 * of a CSV file, so it answers as fast for a multi-GB file as for a small one.
 */
export async function previewSeed(
  adapter: Adapter | undefined,
  file: string,
  options: PreviewOptions & { seeds?: SeedsConfig } = {},
  _ctx: RunContext = {},
): Promise<SeedPreview> {
  const seeds = options.seeds ?? DEFAULT_SEEDS
  const wanted = Math.max(0, Math.min(options.rows ?? 100, 100_000))
  const source = sourceForFile(file, seeds, options.table)
  const nullValues = options.nullValues ?? seeds.nullValues
  const badRows: BadRow[] = []

  const targetColumns = async (table: string): Promise<ColumnInfo[] | undefined> =>
    adapter ? describeForSeed(adapter, table) : undefined
  const tableProblem = (table: string): MappingProblem => ({
    kind: 'table-missing',
    message: `the table ${table} does not exist`,
  })

  if (source.format === 'csv') {
    const head = await readCsvHead(source.file, wanted, options.delimiter ?? seeds.delimiter)
    if (head.header.length > MAX_CSV_COLUMNS) {
      throw new Migr8Error(
        'SEED_INVALID',
        `${source.name} has ${head.header.length} columns; Migr8 accepts at most ${MAX_CSV_COLUMNS}.`,
        'Check the delimiter and the header row.',
      )
    }
    const tableColumns = await targetColumns(source.table)
    const mapping = tableColumns ? mapColumns(head.header, tableColumns, source.table) : undefined
    const markers = new Set(nullValues.filter((value) => value !== ''))
    const width = head.header.length
    const inferred: InferredType[] = new Array(width).fill('empty')
    const nullSeen: boolean[] = new Array(width).fill(false)
    const rows = head.rows.map((row) => row.map((cell) => (markers.has(cell) ? null : cell)))
    for (const row of rows) {
      for (let i = 0; i < width && i < row.length; i++) {
        inferred[i] = mergeTypes(inferred[i], inferText(row[i]))
        const target = mapping?.targets[i]
        const isNull =
          row[i] === null ||
          (row[i] === '' &&
            (nullValues.includes('') || (target !== undefined && emptyMeansNull(classifyTarget(target.type)))))
        if (isNull) nullSeen[i] = true
      }
    }
    for (const error of head.errors)
      if (badRows.length < MAX_BAD_ROWS)
        badRows.push({ line: error.line, column: '', value: null, reason: error.message })
    if (mapping && adapter) {
      const mapped = mapping.targets.map((target, index) => (target ? index : -1)).filter((index) => index >= 0)
      const convert = rowConverter(
        mapped.map((index) => mapping.targets[index]!),
        { dialect: adapter.dialect, nullValues, convert: true },
      )
      head.rows.forEach((row, r) => {
        if (badRows.length >= MAX_BAD_ROWS) return
        if (row.length !== width) {
          badRows.push({
            line: head.lines[r],
            column: '',
            value: null,
            reason: `expected ${width} fields, found ${row.length}`,
          })
          return
        }
        try {
          convert(
            mapped.map((index) => row[index]),
            head.lines[r],
          )
        } catch (error) {
          if (error instanceof RowError) badRows.push(error.bad)
          else throw error
        }
      })
    }
    const described = describeColumns(head.header, inferred, mapping, nullSeen)
    const perRow = head.rowCount > 0 ? head.rowBytes / head.rowCount : 0
    return {
      file: source.file,
      format: 'csv',
      table: source.table,
      tables: [source.table],
      columns: described.columns,
      rows,
      lines: head.lines,
      problems: adapter && !tableColumns ? [tableProblem(source.table)] : described.problems,
      badRows,
      estimatedRows: head.eof ? head.rowCount : perRow > 0 ? Math.round((source.bytes - head.headerBytes) / perRow) : 0,
      exactRowCount: head.eof,
      delimiter: head.format.delimiter,
      bytes: source.bytes,
      unfilledColumns: mapping?.unfilled.map((column) => column.name) ?? [],
    }
  }

  const groups = await readYamlSeed(source.file, source.table)
  const group = (options.table ? groups.find((candidate) => candidate.table === options.table) : groups[0]) ?? {
    table: source.table,
    columns: [],
    rows: [],
    lines: [],
  }
  const tableColumns = await targetColumns(group.table)
  const mapping = tableColumns ? mapColumns(group.columns, tableColumns, group.table) : undefined
  const inferred: InferredType[] = group.columns.map(() => 'empty')
  const nullSeen: boolean[] = group.columns.map(() => false)
  for (const row of group.rows) {
    group.columns.forEach((column, i) => {
      const value = row[column]
      inferred[i] = mergeTypes(inferred[i], inferValue(value))
      if (value === null) nullSeen[i] = true
    })
  }
  if (mapping && adapter) {
    group.rows.forEach((row, r) => {
      if (badRows.length >= MAX_BAD_ROWS) return
      const keys = Object.keys(row)
      const targets = mapColumns(keys, tableColumns!, group.table).targets
      if (targets.some((target) => !target)) return
      try {
        rowConverter(targets as ColumnInfo[], { dialect: adapter.dialect, convert: true })(
          keys.map((key) => row[key]),
          group.lines[r],
        )
      } catch (error) {
        if (error instanceof RowError) badRows.push(error.bad)
        else throw error
      }
    })
  }
  const described = describeColumns(group.columns, inferred, mapping, nullSeen)
  return {
    file: source.file,
    format: 'yaml',
    table: group.table,
    tables: groups.map((candidate) => candidate.table),
    columns: described.columns,
    rows: group.rows.slice(0, wanted).map((row) => group.columns.map((column) => (column in row ? row[column] : null))),
    lines: group.lines.slice(0, wanted),
    problems: adapter && !tableColumns ? [tableProblem(group.table)] : described.problems,
    badRows,
    estimatedRows: group.rows.length,
    exactRowCount: true,
    bytes: source.bytes,
    unfilledColumns: mapping?.unfilled.map((column) => column.name) ?? [],
  }
}
