import type { Readable } from 'node:stream'
import { Migr8Error } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import type { Adapter, Dialect } from '../db/adapter.js'
import type { CompressRequest } from './compression.js'
import type { BackupCompression, BackupFormat, BackupRecord, RequestedFormat } from './types.js'

/** A dump that streams out of a child process (pg_dump, mariadb-dump). */
export interface StreamingDump {
  /** The tool's stdout; null when it was given a file to write into. */
  stream: Readable | null
  /** Resolves when the tool exited 0 (temporary credentials removed). */
  exited: Promise<void>
  kill(): void
}

/** What a dialect will run to back up, decided before any file is created. */
export interface DumpPlan {
  format: BackupFormat
  /** ".sql", ".dump", ".dir", ".sqlite" — the engine appends the compression's extension. */
  extension: string
  tool: string
  toolVersion: string
  /** Set when the format compresses itself (pg_dump custom, directory): Migr8 adds no compression then. */
  ownCompression?: BackupCompression
  /** Parallel jobs of a dump that runs them (pg_dump -Fd -j N). */
  jobs?: number
  /**
   * Streams the dump (server databases). With `output` (an open file descriptor) the tool's stdout
   * is that file and it writes the dump there itself.
   */
  stream?(signal?: AbortSignal, output?: number): StreamingDump
  /** Writes the dump as a file at `path` (SQLite's online backup). */
  writeFile?(path: string, context: RunContext): Promise<void>
  /** Fills the existing, empty folder `path` with the dump's files (pg_dump -Fd). */
  writeDirectory?(path: string, signal?: AbortSignal): Promise<void>
}

/** Where a restore goes. */
export interface RestoreTarget {
  /** Database name, or for SQLite the absolute file path. */
  name: string
  /** The configured database itself. */
  same: boolean
  exists: boolean
}

/**
 * Everything dialect-specific about backups, one implementation per dialect (postgres.ts,
 * mysql.ts, sqlite.ts). The engine never branches on the dialect.
 */
export interface BackupDriver {
  readonly dialect: Dialect
  planDump(
    adapter: Adapter,
    request: { format: RequestedFormat; compress: CompressRequest; jobs?: number },
  ): Promise<DumpPlan>
  /** Plain-text dumps of this dialect end with this line when the tool finished them. */
  readonly completeMarker?: RegExp
  /** Full read pass of non-text formats (`pg_restore -f /dev/null`, integrity_check); returns what ran. `path` is a folder for `directory`. */
  verifyArchive?(path: string, record: BackupRecord, scratchDir: string, context: RunContext): Promise<string>
  resolveTarget(adapter: Adapter, config: Migr8Config, targetDb: string | undefined): Promise<RestoreTarget>
  /** Leaves `target` existing and empty (drops and recreates it when it exists). */
  prepareTarget(adapter: Adapter, target: RestoreTarget): Promise<void>
  /** Loads the backup into the prepared target. */
  load(
    adapter: Adapter,
    record: BackupRecord,
    input: LoadInput,
    target: RestoreTarget,
    options: { jobs?: number },
    context: RunContext,
  ): Promise<void>
  /** Removes a target a failed restore created (never the configured database). */
  dropTarget(adapter: Adapter, target: RestoreTarget): Promise<void>
}

/** What `load` reads: the stored file and a way to stream it decompressed. */
export interface LoadInput {
  path: string
  /** Decompressed content with progress on the stored bytes; call once. */
  decompressed(signal?: AbortSignal): Promise<DecompressedInput>
}

export interface DecompressedInput {
  /** Streams to put first in a pipeline, in order: file → meter → decompressor. */
  streams: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream>
  /**
   * When the decompressor is an external process: file → meter → its stdin (`feed`), and its stdout
   * (`output`) to give the loading tool as stdin directly. Use this or `streams`, not both.
   */
  handoff?: { feed: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream>; output: Readable }
  /** Resolves when an external decompressor exited cleanly. */
  exited: Promise<void>
  kill(): void
}

/** The custom and directory formats are pg_dump's archives: other dialects refuse them before anything runs. */
export function onlyPlainFormat(format: RequestedFormat, remedy: string): void {
  if (format === 'plain') return
  throw new Migr8Error(
    'BAD_USAGE',
    `The ${format} format (pg_dump's ${format === 'custom' ? 'archive' : 'parallel directory archive'}) exists for PostgreSQL only.`,
    remedy,
    { format },
  )
}
