import { readFile, stat } from 'node:fs/promises'
import { LineCounter, isMap, isSeq, parseDocument, type Document, type Node } from 'yaml'
import { Migr8Error } from '../../src-shared/errors.js'
import { validateIdentifier } from './identifiers.js'

/** YAML is parsed whole; beyond this size a CSV file is the right tool. */
export const MAX_YAML_BYTES = 128 << 20

export interface YamlTableRows {
  table: string
  /** Column names in first-seen order over all rows. */
  columns: string[]
  rows: Array<Record<string, unknown>>
  /** Line of each row in the file. */
  lines: number[]
}

function invalid(file: string, line: number | undefined, message: string, remedy: string): Migr8Error {
  return new Migr8Error(
    'SEED_INVALID',
    `${file}${line ? `, line ${line}` : ''}: ${message}`,
    remedy,
    line ? { line } : undefined,
  )
}

/**
 * Reads a YAML seed: either a list of rows for the file's table, or a mapping of table → list of rows.
 * Values keep their YAML types (null, numbers, booleans; nested mappings and lists go to JSON
 * columns); dates stay as written so no time zone shifts them. Anchors and `<<` merge keys work.
 */
export async function readYamlSeed(file: string, defaultTable: string): Promise<YamlTableRows[]> {
  const size = (await stat(file)).size
  if (size > MAX_YAML_BYTES) {
    throw invalid(
      file,
      undefined,
      `the file is ${Math.round(size / 2 ** 20)} MiB; YAML seeds are read whole and limited to ${MAX_YAML_BYTES / 2 ** 20} MiB.`,
      'Use a CSV file for large data: it is streamed.',
    )
  }
  const bytes = await readFile(file)
  let source: string
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw invalid(file, undefined, 'the file is not valid UTF-8.', 'Save the file as UTF-8 and run again.')
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(source, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line
    throw invalid(
      file,
      line,
      `invalid YAML: ${first.message.split('\n')[0]}`,
      'Fix the YAML at that line (indentation, a missing colon or an unclosed quote are the usual causes).',
    )
  }
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1)
  const root = doc.contents
  if (root === null || root === undefined) return []
  if (isSeq(root)) return [rowsOf(file, doc, defaultTable, root, lineOf)]
  if (isMap(root)) {
    return root.items.map((pair) => {
      const key = pair.key as Node | null
      const table = String((key as { value?: unknown } | null)?.value ?? '')
      validateIdentifier(table, 'table', `${file}, line ${lineOf(key)}`)
      const value = pair.value as Node | null
      if (value === null || (value as { value?: unknown }).value === null)
        return { table, columns: [], rows: [], lines: [] }
      if (!isSeq(value))
        throw invalid(
          file,
          lineOf(value),
          `the value of ${table} must be a list of rows.`,
          'Write each row as `- column: value` under the table name.',
        )
      return rowsOf(file, doc, table, value, lineOf)
    })
  }
  throw invalid(
    file,
    lineOf(root),
    'a YAML seed must be a list of rows or a mapping of table names to lists of rows.',
    'See docs/seeds.md for the two shapes.',
  )
}

function rowsOf(
  file: string,
  doc: Document,
  table: string,
  seq: Node,
  lineOf: (node: Node | null | undefined) => number,
): YamlTableRows {
  const columns: string[] = []
  const seen = new Set<string>()
  const rows: Array<Record<string, unknown>> = []
  const lines: number[] = []
  for (const item of (seq as unknown as { items: Node[] }).items) {
    const line = lineOf(item)
    if (!isMap(item))
      throw invalid(
        file,
        line,
        `a row of ${table} must be a mapping of column: value.`,
        'Write each row as `- column: value`.',
      )
    const row = item.toJS(doc, { maxAliasCount: 10_000 }) as Record<string, unknown>
    for (const column of Object.keys(row)) {
      if (!seen.has(column)) {
        validateIdentifier(column, 'column', `${file}, line ${line}`)
        seen.add(column)
        columns.push(column)
      }
    }
    rows.push(row)
    lines.push(line)
  }
  return { table, columns, rows, lines }
}
