import type { Adapter } from '../../db/adapter.js'
import type { Migration } from '../model.js'

/** The tools whose history Migr8 can take over. */
export const SOURCE_TOOLS = ['golang-migrate', 'goose', 'dbmate', 'flyway', 'node-pg-migrate'] as const
export type SourceTool = (typeof SOURCE_TOOLS)[number]

/** `--from`: a tool, or `auto` to pick the one history table found. */
export type AdoptFrom = SourceTool | 'auto'

/** Another tool's history table found in the database. */
export interface Detection {
  tool: SourceTool
  /** The table as named in the database (unqualified). */
  table: string
  /** Rows in that table. */
  rows: number
  /** One line for humans, e.g. "version 3, dirty" or "5 migrations applied, 1 failed". */
  summary: string
}

/** One migration as the other tool records it, already resolved to its final state. */
export interface ForeignEntry {
  /** The version as the tool stores it (golang-migrate: `1` for `001_x.up.sql`). */
  version: string
  /** A name when the tool records one (Flyway description, node-pg-migrate file name). */
  name?: string
  /** `stopped`: golang-migrate dirty, Flyway success = false. */
  state: 'applied' | 'stopped'
  appliedAt?: Date
  executionMs?: number
  appliedBy?: string
  /** Why it is in this state, when that is not plain ("below the Flyway baseline 3", "dirty in golang-migrate"). */
  note?: string
}

export interface ForeignHistory {
  entries: ForeignEntry[]
  /** Things the user must know that block nothing (repeatable rows skipped, JS files not runnable, …). */
  warnings: string[]
}

/** What a source module reads besides its table: today's files, for tools that record only a position. */
export interface SourceInput {
  table: string
  dir: string
  migrations: Migration[]
}

/**
 * One module per tool: how to recognise its history table and how to read it into entries.
 * Reading is read-only; the other tool's table is never written.
 */
export interface HistorySource {
  tool: SourceTool
  /** The table name the tool uses by default. */
  defaultTable: string
  /** Whether the table's columns are this tool's (schema_migrations is shared by golang-migrate and dbmate). */
  matches(columns: readonly string[]): boolean
  /** A one-line summary of the table for detection. */
  summarise(adapter: Adapter, table: string): Promise<{ rows: number; summary: string }>
  read(adapter: Adapter, input: SourceInput): Promise<ForeignHistory>
}

/** One migration in the adoption preview: the files and the other tool's history joined. */
export interface AdoptionEntry {
  /** The Migr8 version: the file's version when a file matches, else the tool's. */
  version: string
  /** The version as the other tool stored it, when it has a row. */
  sourceVersion?: string
  name: string
  /**
   * `applied`: recorded by the tool and its file is here; `stopped`: dirty/failed in the tool
   * (imported as Migr8 `partial`); `pending`: a file the tool never applied; `missing_file`: a
   * row without a file (imported as applied, shown as "MISSING FILE" by status).
   */
  state: 'applied' | 'stopped' | 'pending' | 'missing_file'
  /** A stopped entry whose file is gone is both stopped and fileless. */
  hasFile: boolean
  file?: string
  appliedAt?: string
  note?: string
  /** A pending file older than the newest applied one: `up` refuses it unless `--out-of-order allow`. */
  outOfOrder?: boolean
  /** What adopt does with it: write a Migr8 row, keep the row Migr8 already has (`--force`), nothing. */
  action: 'import' | 'keep_existing' | 'none'
}

export interface AdoptionPlan {
  from: SourceTool
  /** The other tool's table (unqualified), left untouched by adopt. */
  table: string
  dir: string
  entries: AdoptionEntry[]
  /** Versions the tool recorded as applied (file or not). */
  applied: string[]
  /** Dirty golang-migrate / failed Flyway versions: imported as Migr8 `partial`. */
  stopped: Array<{ version: string; name: string; reason: string }>
  /** Files the tool never applied: pending for Migr8. */
  filesWithoutRow: Array<{ version: string; name: string; file: string }>
  /** Rows whose file is not in the folder: imported, shown as missing files. */
  rowsWithoutFile: Array<{ version: string; name: string }>
  /** Rows Migr8's history already has (adopt refuses them unless `force`). */
  existingMigr8Rows: number
  /** How many Migr8 rows adopt writes. */
  toImport: number
  warnings: string[]
}

export interface AdoptOptions {
  from?: AdoptFrom
  /** The other tool's table, when it is not the tool's default name. */
  table?: string
  dryRun?: boolean
  /** With Migr8 history already present: import only the versions it does not have. */
  force?: boolean
}

export interface AdoptionResult {
  plan: AdoptionPlan
  dryRun: boolean
  /** Versions written to Migr8's history. */
  imported: string[]
  /** Versions Migr8's history already had (with `force`). */
  kept: string[]
}
