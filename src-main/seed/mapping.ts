import { Migr8Error } from '../../src-shared/errors.js'
import type { ColumnInfo, Dialect } from '../db/adapter.js'
import { identifierProblem, truncateForMessage } from './identifiers.js'
import { ConversionError, classifyTarget, converterFor, emptyMeansNull, type Converter } from './infer.js'
import type { BadRow, MappingProblem } from './types.js'

export interface ColumnMapping {
  /** Table column of each file column (undefined: no such column). */
  targets: Array<ColumnInfo | undefined>
  problems: MappingProblem[]
  /** Table columns the file does not fill. */
  unfilled: ColumnInfo[]
}

/** Matches file columns to table columns: by exact name, else by a unique case-insensitive match. */
export function mapColumns(fileColumns: string[], tableColumns: ColumnInfo[], table: string): ColumnMapping {
  const problems: MappingProblem[] = []
  const used = new Set<ColumnInfo>()
  const targets = fileColumns.map((name) => {
    const invalid = identifierProblem(name)
    if (invalid) {
      problems.push({
        kind: 'extra-column',
        column: name,
        message: `column name ${JSON.stringify(truncateForMessage(name))} is not allowed (${invalid})`,
      })
      return undefined
    }
    let target = tableColumns.find((column) => column.name === name)
    if (!target) {
      const folded = tableColumns.filter((column) => column.name.toLowerCase() === name.toLowerCase())
      if (folded.length === 1) target = folded[0]
    }
    if (!target) {
      problems.push({
        kind: 'extra-column',
        column: name,
        message: `${table} has no column ${JSON.stringify(truncateForMessage(name))}`,
      })
      return undefined
    }
    if (used.has(target)) {
      problems.push({ kind: 'duplicate-column', column: name, message: `column ${target.name} appears more than once` })
      return undefined
    }
    used.add(target)
    return target
  })
  const unfilled = tableColumns.filter((column) => !used.has(column))
  for (const column of unfilled) {
    if (!column.nullable && !column.hasDefault) {
      problems.push({
        kind: 'missing-column',
        column: column.name,
        message: `${table}.${column.name} is NOT NULL without a default, and the file has no such column`,
      })
    }
  }
  return { targets, problems, unfilled }
}

/** The problems that make a load impossible, as one error. */
export function assertLoadable(mapping: ColumnMapping, file: string, table: string): ColumnInfo[] {
  const blocking = mapping.problems.filter((problem) =>
    ['extra-column', 'duplicate-column', 'missing-column'].includes(problem.kind),
  )
  if (blocking.length > 0) {
    throw new Migr8Error(
      'SEED_INVALID',
      `${file} does not match table ${table}: ${blocking.map((problem) => problem.message).join('; ')}.`,
      'Fix the header (or YAML keys) so every column names a column of the table, or map the file to another table in seeds.tables.',
      { problems: blocking },
    )
  }
  return mapping.targets as ColumnInfo[]
}

/** A cell the engine refuses, raised by row converters; carries what a BadRow reports. */
export class RowError extends Error {
  constructor(readonly bad: BadRow) {
    super(bad.reason)
  }
}

export type RowConverter = (row: unknown[], line: number) => unknown[]

/**
 * Like RowConverter, but writes the row's values into `out` from index `at`: a batch of rows then
 * fills one flat array without an array per row. A row that throws may have written part of its values.
 */
export type RowConverterInto = (row: unknown[], line: number, out: unknown[], at: number) => void

type RowConverterOptions = { dialect: Dialect; nullValues?: string[]; convert: boolean }

/**
 * Turns a parsed row into the values sent to the database. NULL markers (and, for non-text columns,
 * empty fields) become null; with `convert`, every value is checked and converted for its column.
 */
export function rowConverter(targets: ColumnInfo[], options: RowConverterOptions): RowConverter {
  const into = rowConverterInto(targets, options)
  return (row, line) => {
    const out = new Array<unknown>(targets.length)
    into(row, line, out, 0)
    return out
  }
}

export function rowConverterInto(targets: ColumnInfo[], options: RowConverterOptions): RowConverterInto {
  const width = targets.length
  const textInput = options.nullValues !== undefined
  const nullSet = new Set((options.nullValues ?? []).filter((value) => value !== ''))
  const emptyIsNull = (options.nullValues ?? []).includes('')
  const emptyNull = targets.map((column) => emptyIsNull || emptyMeansNull(classifyTarget(column.type)))
  // Without full conversion, booleans are still spelled 1/0 for databases that do not read true/false.
  const spellBooleans =
    options.dialect !== 'postgres' && targets.some((column) => classifyTarget(column.type) === 'boolean')
  const converters: Converter[] | undefined = options.convert
    ? targets.map((column) => converterFor(column, options.dialect))
    : spellBooleans
      ? targets.map((column) =>
          classifyTarget(column.type) === 'boolean'
            ? converterFor({ ...column, nullable: true }, options.dialect)
            : (value: unknown) => value,
        )
      : undefined
  const hasMarkers = nullSet.size > 0
  // Most cells are longer than any NULL marker: comparing lengths first spares hashing every cell.
  const markerLength = Math.max(0, ...[...nullSet].map((marker) => marker.length))
  return (row, line, out, at) => {
    if (textInput && row.length !== width) {
      throw new RowError({ line, column: '', value: null, reason: `expected ${width} fields, found ${row.length}` })
    }
    for (let i = 0; i < width; i++) {
      let value = row[i]
      if (textInput) {
        if (value === '') value = emptyNull[i] ? null : ''
        else if (hasMarkers && (value as string).length <= markerLength && nullSet.has(value as string)) value = null
      } else if (value === undefined) {
        value = null
      }
      if (converters) {
        try {
          value = converters[i](value)
        } catch (error) {
          if (!(error instanceof ConversionError)) throw error
          const raw = row[i]
          throw new RowError({
            line,
            column: targets[i].name,
            value:
              raw === null || raw === undefined
                ? null
                : truncateForMessage(typeof raw === 'string' ? raw : JSON.stringify(raw), 200),
            reason: error.message,
          })
        }
      }
      out[at + i] = value
    }
  }
}
