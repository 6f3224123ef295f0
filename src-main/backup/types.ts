import type { Driver } from '../config/schema.js'

/**
 * How the dump is laid out: SQL text, pg_dump's custom archive, pg_dump's directory archive (one
 * file per table, dumped and restored in parallel), or a SQLite database file.
 */
export type BackupFormat = 'plain' | 'custom' | 'directory' | 'sqlite'
/** The formats a user may ask for; `sqlite` follows from the database. */
export type RequestedFormat = 'plain' | 'custom' | 'directory'
/** Compression of the stored file (for `custom` and `directory`, pg_dump's own compression inside the archive). */
export type BackupCompression = 'gzip' | 'zstd' | 'lz4' | 'none'

/** One complete backup as the catalog records it (`<id>.json` beside the file). */
export interface BackupRecord {
  /** Version of this record's layout. */
  schemaVersion: 1
  id: string
  profile: string
  driver: Driver
  /** Database name (for SQLite, the file path) at the time of the backup. */
  database: string
  serverVersion: string
  /** ISO 8601, UTC. */
  createdAt: string
  durationMs: number
  /**
   * Bytes the dump tool produced (before Migr8's compression; for `custom` and `directory`, the archive size);
   * null when the compressor read the dump directly and did not report it.
   */
  sizeRaw: number | null
  /** Bytes of the stored file (for `directory`, of all its files together). */
  sizeCompressed: number
  /**
   * SHA-256 (hex) of the stored file. For `directory`, the SHA-256 of its `sha256sum` manifest: one
   * line `<sha256 of the file>  <name>` per file, sorted by name in byte order (see hashDirectory).
   */
  sha256: string
  /** Dump tool and its version, e.g. "pg_dump" "15.20", "mariadb-dump" "10.11.19", "better-sqlite3" "3.40.1". */
  tool: string
  toolVersion: string
  /** Compressor, when one ran outside the dump tool: "zstd 1.5.4", "node-zlib", "pigz 2.6". */
  compressor?: string
  /** Newest applied migration when the backup was taken; null when the database had none. */
  migrationVersion: string | null
  label?: string
  format: BackupFormat
  compression: BackupCompression
  /** File (for `directory`, folder) name relative to the backup folder. */
  file: string
  /** Set once `verify` has read the whole file back successfully. */
  verifiedAt?: string
}

export interface CreateBackupOptions {
  label?: string
  format?: RequestedFormat
  /** auto (default: config), gzip, zstd, none. `false` is `--no-compress`. */
  compress?: 'auto' | 'gzip' | 'zstd' | 'none'
  /** Parallel pg_dump jobs (`directory` format only; default: the number of CPUs). */
  jobs?: number
  profile?: string
}

/** Something in the backup folder that is not a complete backup. */
export interface BackupProblem {
  kind: 'file-without-metadata' | 'metadata-without-file' | 'size-mismatch' | 'unreadable-metadata' | 'leftover-partial'
  /** Name relative to the backup folder. */
  name: string
  message: string
}

export interface BackupList {
  dir: string
  /** Complete backups, newest first. */
  backups: BackupRecord[]
  problems: BackupProblem[]
}

export interface VerifyResult {
  record: BackupRecord
  checksumOk: true
  /** What the read pass did, e.g. "gunzip + dump trailer", "pg_restore -f /dev/null", "PRAGMA integrity_check". */
  check: string
  durationMs: number
}

export interface RestoreOptions {
  /** Restore into this database (created; must not exist) instead of the configured one. For SQLite, a file path. */
  targetDb?: string
  /** Required to replace the configured database (or an existing SQLite target file). */
  force?: boolean
  /** Take a backup of the database about to be replaced first (default true). */
  safetyBackup?: boolean
  /** Parallel jobs for pg_restore (custom: default 1, in one transaction; directory: default the number of CPUs). */
  jobs?: number
  profile?: string
}

export interface RestoreResult {
  record: BackupRecord
  target: string
  replaced: boolean
  safetyBackup?: BackupRecord
  durationMs: number
}

export interface CleanOptions {
  keep?: number
  /** Milliseconds. */
  maxAge?: number
  dryRun?: boolean
  /** Only this profile's backups. */
  profile?: string
  now?: Date
}

export interface CleanResult {
  dryRun: boolean
  deleted: BackupRecord[]
  kept: BackupRecord[]
  /** Kept only because it is the newest verified backup of its database. */
  protected: BackupRecord[]
}
