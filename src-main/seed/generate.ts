import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { stringify } from 'yaml'
import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Adapter } from '../db/adapter.js'
import { validateIdentifier } from './identifiers.js'
import { exporterFor } from './loaders.js'
import { describeOrFail } from './run.js'
import type { GenerateOptions, GenerateReport } from './types.js'

function csvField(value: unknown, nullValue: string): string {
  if (value === null || value === undefined) return nullValue
  let text: string
  if (typeof value === 'string') text = value
  else if (value instanceof Date) text = value.toISOString()
  else if (Buffer.isBuffer(value)) text = `\\x${value.toString('hex')}`
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  // Quoted: anything the parser would split or trim, the empty string (so it is not read as NULL) and
  // text that equals the NULL marker.
  return text === '' || text === nullValue || /[",\n\r]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

function yamlValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`
  return value
}

/**
 * Writes existing rows of a table to a seed file (CSV or YAML), streamed in batches, so a DBA can
 * capture fixtures from a database. `where` is SQL for the user's own database; the table name is
 * validated and quoted. `out` is a file path (written to a temporary name, then renamed) or a stream.
 */
export async function generateSeed(
  adapter: Adapter,
  options: GenerateOptions,
  out: string | Writable,
  ctx: RunContext = {},
): Promise<GenerateReport> {
  const table = validateIdentifier(options.table, 'table', '--table')
  const columns = await describeOrFail(adapter, table, '--table')
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new Migr8Error('BAD_USAGE', `--limit ${options.limit} is not a whole number.`, 'Write --limit 1000.')
  }
  let sql = `SELECT ${columns.map((column) => adapter.quoteIdent(column.name)).join(', ')} FROM ${adapter.qualifiedTable(table)}`
  if (options.where?.trim()) {
    sql += ` WHERE ${options.where}`
    if (adapter.splitScript(sql).length !== 1) {
      throw new Migr8Error(
        'BAD_USAGE',
        '--where must be one condition, not several statements.',
        'Remove the semicolon from --where.',
      )
    }
  }
  if (options.limit !== undefined) sql += ` LIMIT ${options.limit}`

  const path = typeof out === 'string' ? out : undefined
  const temporary = path ? `${path}.migr8-tmp` : undefined
  const stream: Writable = temporary ? createWriteStream(temporary) : (out as Writable)
  const names = columns.map((column) => column.name)
  const nullValue = options.nullValue ?? '\\N'
  let rows = 0
  let bytes = 0
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text)
    if (!stream.write(text))
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => (
          stream.off('drain', done),
          stream.off('error', done),
          error ? reject(error) : resolve()
        )
        stream.on('drain', done)
        stream.on('error', done)
      })
  }
  try {
    if (options.format === 'csv') await write(`${names.map((name) => csvField(name, '')).join(',')}\n`)
    else await write(`# rows of ${table}, written by migr8 seed generate\n`)
    let wroteRows = false
    await (
      await exporterFor(adapter)
    )(
      adapter,
      sql,
      async (batch) => {
        throwIfAborted(ctx.signal)
        let text = ''
        if (options.format === 'csv') {
          for (const row of batch) text += `${names.map((name) => csvField(row[name], nullValue)).join(',')}\n`
        } else {
          text = stringify(
            batch.map((row) => Object.fromEntries(names.map((name) => [name, yamlValue(row[name])]))),
            { lineWidth: 0 },
          )
        }
        wroteRows = true
        rows += batch.length
        ctx.onProgress?.({ phase: `writing ${table}`, done: rows, unit: 'rows' })
        await write(text)
      },
      ctx.signal,
    )
    if (options.format === 'yaml' && !wroteRows) await write('[]\n')
    if (temporary) {
      stream.end()
      await finished(stream)
      await rename(temporary, path!)
    }
  } catch (error) {
    if (temporary) {
      stream.destroy()
      await rm(temporary, { force: true })
    }
    throw error instanceof Migr8Error ? error : adapter.translateError(error, `writing the seed file for ${table}`)
  }
  return { table, format: options.format, rows, bytes, ...(path ? { file: path } : {}) }
}
