export interface ScriptPiece {
  sql: string
  /** Line of the file the piece starts at. */
  line: number
  whole: boolean
}

export type MigrationFormat = 'golang-migrate' | 'dbmate' | 'goose' | 'flyway' | 'plain'

/** One direction (up or down) of a migration, as read from its file. */
export interface Script {
  /** The script text of this direction, line endings as in the file. */
  sql: string
  /**
   * The script as pieces, when the file format marks statements itself (goose StatementBegin/End):
   * a `whole` piece is one statement, the others are cut by the dialect's lexer. Absent: cut `sql`.
   */
  pieces?: ScriptPiece[]
  /** `-- migr8:no-transaction`, dbmate `transaction:false`, goose `NO TRANSACTION`. */
  noTransaction: boolean
  /** `-- migr8:envsub on` or goose `ENVSUB ON`: `${VAR}` in the SQL is replaced from the environment. */
  envsub: boolean
  /** File the script came from (absolute path) and the line its text starts at. */
  file: string
  line: number
}

export interface Migration {
  version: string
  name: string
  format: MigrationFormat
  up: Script
  down?: Script
  /** Checksum of the up script: `sha256:<hex>` over the text with BOM and line endings normalised. */
  checksum: string
}

/** States a history row can be in. `partial` and `partial_down` are stopped non-transactional runs. */
export type HistoryState = 'applied' | 'partial' | 'partial_down'

export interface HistoryRow {
  version: string
  name: string
  checksum: string
  state: HistoryState
  appliedAt: Date
  executionMs: number
  appliedBy: string
  statementsDone: number
  statementsTotal: number
  /** Hashes of the statements already run, in order, so `resume` can prove the file is unchanged. */
  statementHashes: string[]
  error?: string
}

export type JournalEvent =
  | 'applied'
  | 'rolled_back'
  | 'failed'
  | 'resumed'
  | 'repaired'
  | 'baselined'
  | 'marked_applied'
  | 'forgotten'
  | 'adopted'

export interface JournalEntry {
  id: number
  version: string | null
  event: JournalEvent
  at: Date
  actor: string
  durationMs: number | null
  detail: string | null
}

/** What `status` says of one migration. */
export type EntryState =
  'applied' | 'pending' | 'partial' | 'partial_down' | 'missing_file' | 'checksum_drift' | 'out_of_order'

export interface StatusEntry {
  version: string
  name: string
  state: EntryState
  file?: string
  hasDown: boolean
  appliedAt?: string
  executionMs?: number
  appliedBy?: string
  checksum?: { recorded?: string; current?: string }
  statements?: { done: number; total: number }
  /** The error of a partial run, or of the last failed attempt of a pending migration. */
  error?: string
}

export interface LockHolder {
  owner: string
  since: string
}

export interface MigrationStatus {
  /** Newest applied version, if any. */
  current?: string
  entries: StatusEntry[]
  pending: number
  problems: string[]
  lock?: LockHolder
}
