/**
 * Result and option types of the seed engine. They are plain data (no classes, no functions) so the
 * IPC contract can mirror them with zod schemas and send them to the renderer as they are.
 */

/** What a value looks like, inferred from the file (CSV text or YAML scalars). */
export type InferredType = 'empty' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'uuid' | 'json' | 'text'

export type SeedFormat = 'csv' | 'yaml'

/** One seed file as found in the seed folder (or named on the command line). */
export interface SeedSource {
  /** Absolute path. */
  file: string
  /** Path relative to the seed folder (or as given), used in messages and config `order`/`tables`. */
  name: string
  format: SeedFormat
  /** The table the file loads into (YAML files may name other tables inside). */
  table: string
  /** Size in bytes. */
  bytes: number
}

/** A problem with one cell, tied to its line in the file (1-based; the CSV header is line 1). */
export interface BadRow {
  line: number
  column: string
  value: string | null
  reason: string
}

export type MappingProblemKind =
  | 'missing-column'
  | 'extra-column'
  | 'duplicate-column'
  | 'type-mismatch'
  | 'not-null'
  | 'table-missing'
  | 'invalid-file'

export interface MappingProblem {
  kind: MappingProblemKind
  column?: string
  message: string
}

export interface PreviewColumn {
  name: string
  inferredType: InferredType
  /** The table column this file column loads into; absent when the table has no such column. */
  target?: { type: string; nullable: boolean; hasDefault: boolean }
  problems: string[]
}

export interface SeedPreview {
  file: string
  format: SeedFormat
  table: string
  /** For YAML files holding several tables: all of them (the preview shows `table`). */
  tables: string[]
  columns: PreviewColumn[]
  /** The first rows: CSV cells as strings (null for NULL markers), YAML values as parsed. */
  rows: unknown[][]
  /** Line of each row in `rows`. */
  lines: number[]
  problems: MappingProblem[]
  badRows: BadRow[]
  /** Exact when the whole file was read, else estimated from the file size. */
  estimatedRows: number
  exactRowCount: boolean
  /** CSV only. */
  delimiter?: string
  bytes: number
  /** Target table columns that the file does not fill (they get their defaults). */
  unfilledColumns: string[]
}

export interface PreviewOptions {
  /** Rows to show (default 100). */
  rows?: number
  /** Override the table (default: from the file name, or the `tables` mapping). */
  table?: string
  delimiter?: string
  nullValues?: string[]
}

export type LoadMethod =
  | 'copy-passthrough'
  | 'copy-binary'
  | 'copy'
  | 'load-data-passthrough'
  | 'load-data'
  | 'insert'
  | 'prepared-insert'
  | 'none'

export interface SeedTableReport {
  table: string
  rows: number
  method: LoadMethod
}

export interface SeedReport {
  file: string
  name: string
  format: SeedFormat
  status: 'loaded' | 'failed' | 'dry-run' | 'skipped'
  /** Rows written (or, in a dry run, rows that would be written). */
  rowsInserted: number
  tables: SeedTableReport[]
  /** Rows the engine refused, with reasons (validate mode: the first; dry run: up to 100). */
  rejected: BadRow[]
  rejectedCount: number
  truncated: string[]
  bytes: number
  durationMs: number
  rowsPerSecond: number
  error?: { code: string; message: string; remedy: string; line?: number }
}

export interface RunSeedsOptions {
  /** Files to run (paths, or names relative to the seed folder); default: every file in the folder. */
  files?: string[]
  /** Empty each target table first (default: seeds.truncate from the config). */
  truncate?: boolean
  /** Parse and check everything; write nothing. */
  dryRun?: boolean
  /** Convert and check every value before sending it; stop at the first bad value. */
  validate?: boolean
  /** Stop at the first failed file (default true); later files are reported as skipped. */
  stopOnError?: boolean
}

export interface GenerateOptions {
  table: string
  format: SeedFormat
  /** A SQL condition (without WHERE) for the user's own database. */
  where?: string
  limit?: number
  /** The string written for NULL in CSV (default: the first of seeds.nullValues, or `\N`). */
  nullValue?: string
}

export interface GenerateReport {
  table: string
  format: SeedFormat
  rows: number
  bytes: number
  file?: string
}
