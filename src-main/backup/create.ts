import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import type { Adapter } from '../db/adapter.js'
import { readMigrationVersion } from '../migrate/version.js'
import { writeRecord } from './catalog.js'
import { planCompression, type CodecStream, type CompressionPlan } from './compression.js'
import type { DumpPlan } from './driver.js'
import { backupDriverFor } from './drivers.js'
import {
  Meter,
  asMigr8Error,
  fsyncDir,
  fsyncPath,
  hashDirectory,
  hashFile,
  hashWhileWritten,
  removeStored,
  watchDirectorySize,
} from './files.js'
import { PARTIAL_SUFFIX, backupDir, insideBackupDir, newBackupId } from './paths.js'
import type { BackupRecord, CreateBackupOptions } from './types.js'

const REMEDY = 'Read the message above, fix the cause and run the backup again; no backup was recorded.'

interface Written {
  sizeRaw: number | null
  sizeCompressed: number
  sha256: string
}

/**
 * Pipes `source` through a byte meter, the compressor and a hashing meter into `temp`, then
 * fsyncs it. Any failure kills the tools and leaves the caller to remove the temp file.
 */
async function streamToFile(
  source: { stream: Readable; exited: Promise<void>; kill(): void },
  codec: CodecStream,
  temp: string,
  context: RunContext,
  progress: { phase: string; total?: number } = { phase: 'dumping' },
): Promise<Written> {
  const file = createWriteStream(temp, { flags: 'wx', mode: 0o640, highWaterMark: 1 << 20 })
  // Uncompressed: one metering stage counts, hashes and reports (raw and stored bytes are the same).
  const stored = new Meter({
    hash: true,
    ...(codec.passThrough ? { ...progress, onProgress: context.onProgress } : {}),
  })
  const raw = codec.passThrough ? stored : new Meter({ ...progress, onProgress: context.onProgress })
  const stages = codec.passThrough ? [source.stream, stored, file] : [source.stream, raw, codec.stream, stored, file]
  const flowing = pipeline(stages as unknown as Parameters<typeof pipeline>[0][], { signal: context.signal })
  // When writing fails (full disk, unwritable folder) stop the tools at once rather than wait for them
  // to notice a closed pipe: a tool blocked on a pipe nobody reads would otherwise never exit.
  flowing.catch(() => {
    source.kill()
    codec.kill()
  })
  await settleTools(
    [flowing, source.exited, codec.exited],
    () => {
      source.kill()
      codec.kill()
    },
    context,
  )
  await fsyncPath(temp, 'r+')
  return { sizeRaw: raw.bytes, sizeCompressed: stored.bytes, sha256: stored.digest() }
}

/**
 * Waits for every part of a backup pipeline; on any failure kills the tools and throws the most
 * telling cause.
 */
async function settleTools(parts: Promise<unknown>[], kill: () => void, context: RunContext): Promise<void> {
  const results = await Promise.allSettled(parts)
  const failures = results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as unknown)
  if (failures.length === 0) return
  kill()
  if (context.signal?.aborted) throw asMigr8Error(failures[0], 'BACKUP_FAILED', 'Backup', REMEDY, context.signal)
  // A full disk or an unwritable folder makes the tools fail with broken pipes: report the cause, not the symptom.
  const typed = failures.map((error) => asMigr8Error(error, 'BACKUP_FAILED', 'Backup', REMEDY))
  throw (
    typed.find((e) => e.code === 'DISK_FULL') ??
    typed.find((e) => e.code === 'PERMISSION_DENIED') ??
    typed.find((e) => e.details?.stderr) ??
    typed.find((e) => e.code !== 'BACKUP_FAILED') ??
    typed[0]
  )
}

/** Tools started with the temp file as their last stdout. */
interface FileWriters {
  exited: Promise<void>[]
  kill(): void
  /** Uncompressed bytes, when the compressor reports them. */
  rawBytes?(): number | undefined
}

/**
 * The last tool writes the temp file itself (its stdout is the file, as in `pg_dump > file`), so the
 * dump never passes through Node, which only hashes the file behind the tool and then fsyncs it.
 * Piping a dump through Node cost about as much CPU as pg_dump itself.
 */
async function toolWritesFile(
  start: (output: number) => FileWriters,
  temp: string,
  context: RunContext,
  phase: string,
): Promise<Written> {
  const handle = await open(temp, 'wx+', 0o640)
  try {
    const tools = start(handle.fd)
    const written = Promise.all(tools.exited)
    const stored = new Meter({ hash: true, phase, onProgress: context.onProgress })
    await settleTools([...tools.exited, hashWhileWritten(handle, written, stored, context.signal)], tools.kill, context)
    await handle.sync()
    return {
      sizeRaw: tools.rawBytes ? (tools.rawBytes() ?? null) : stored.bytes,
      sizeCompressed: stored.bytes,
      sha256: stored.digest(),
    }
  } finally {
    await handle.close()
  }
}

/** How often a dump starts again when DDL raced its consistent snapshot. */
const SNAPSHOT_ATTEMPTS = 3

/**
 * MySQL/MariaDB's `--single-transaction` dump fails with error 1412 when a table is created or
 * altered after its snapshot began (e.g. a concurrent migration); the server asks to retry.
 */
function tableChangedUnderSnapshot(error: Migr8Error): boolean {
  return /Error 1412|Table definition has changed/i.test(`${error.message} ${String(error.details?.stderr ?? '')}`)
}

async function runDump(
  plan: DumpPlan,
  compression: CompressionPlan,
  dir: string,
  temp: string,
  context: RunContext,
): Promise<Written> {
  if (plan.writeDirectory) return dumpToDirectory(plan.writeDirectory, plan.jobs, temp, context)
  const stream = plan.stream
  // Plain dumps only: pg_dump -Fc seeks back to fill in its table of contents when its output is a file.
  if (stream && plan.format === 'plain' && compression.compressPipe) {
    const compressPipe = compression.compressPipe
    // dump tool → compressor through an OS pipe → file.
    return toolWritesFile(
      (output) => {
        const dump = stream(context.signal)
        const codec = compressPipe(dump.stream!, output, context.signal)
        return {
          exited: [dump.exited, codec.exited],
          kill: () => {
            dump.kill()
            codec.kill()
          },
          rawBytes: codec.inputBytes,
        }
      },
      temp,
      context,
      'dumping (compressed bytes)',
    )
  }
  if (stream && plan.format === 'plain' && compression.compression === 'none') {
    return toolWritesFile(
      (output) => {
        const dump = stream(context.signal, output)
        return { exited: [dump.exited], kill: dump.kill }
      },
      temp,
      context,
      'dumping',
    )
  }
  if (stream) {
    const codec = compression.compress(context.signal)
    const dump = stream(context.signal)
    return streamToFile({ ...dump, stream: dump.stream! }, codec, temp, context)
  }
  if (!plan.writeFile) throw new Error('a dump plan needs stream() or writeFile()')
  // File-producing dumps (SQLite's online backup) write a raw copy first, then it is compressed.
  const rawTemp = insideBackupDir(dir, `${temp.split(/[\\/]/).pop()!.replace(PARTIAL_SUFFIX, '')}.raw${PARTIAL_SUFFIX}`)
  try {
    await plan.writeFile(rawTemp, context)
    throwIfAborted(context.signal)
    const { size } = await stat(rawTemp)
    if (compression.compression === 'none') {
      // Stored as is: hash the copy and move it into place, no second copy.
      const { sha256 } = await hashFile(rawTemp, context.onProgress, context.signal)
      await fsyncPath(rawTemp, 'r+')
      await rename(rawTemp, temp)
      return { sizeRaw: size, sizeCompressed: size, sha256 }
    }
    const compressPipe = compression.compressPipe
    if (compressPipe) {
      // The compressor reads the copy itself and writes the temp file; Node only hashes behind it.
      const input = await open(rawTemp, 'r')
      try {
        const written = await toolWritesFile(
          (output) => {
            const codec = compressPipe(input.fd, output, context.signal)
            return { exited: [codec.exited], kill: codec.kill }
          },
          temp,
          context,
          'compressing (compressed bytes)',
        )
        return { ...written, sizeRaw: size }
      } finally {
        await input.close()
      }
    }
    const codec = compression.compress(context.signal)
    const read = createReadStream(rawTemp, { highWaterMark: 1 << 20 })
    const phase = 'compressing'
    const written = await streamToFile(
      { stream: read, exited: Promise.resolve(), kill: () => read.destroy() },
      codec,
      temp,
      context,
      { phase, total: size },
    )
    return { ...written, sizeRaw: size }
  } finally {
    await rm(rawTemp, { force: true })
    await rm(`${rawTemp}-journal`, { force: true })
  }
}

/**
 * A dump that fills a folder (pg_dump -Fd): the temporary folder is created empty (never reusing
 * one), progress is its growing size, then every file is hashed and fsynced, and the folder too.
 */
async function dumpToDirectory(
  writeDirectory: NonNullable<DumpPlan['writeDirectory']>,
  jobs: number | undefined,
  temp: string,
  context: RunContext,
): Promise<Written> {
  await mkdir(temp, { mode: 0o750 })
  const stop = watchDirectorySize(temp, `dumping (${jobs ?? 1} jobs, bytes written)`, context.onProgress)
  try {
    await writeDirectory(temp, context.signal)
  } finally {
    stop()
  }
  throwIfAborted(context.signal)
  const { sha256, size } = await hashDirectory(temp, context.onProgress, context.signal, { fsync: true })
  return { sizeRaw: size, sizeCompressed: size, sha256 }
}

/**
 * Backs up the adapter's database into the backup folder. The dump goes to `<file>.partial` (a
 * folder for the directory format), fsynced and renamed into place; the metadata is written last
 * (atomically), so a backup appears in the list only when it is complete. Cancelling (ctx.signal)
 * kills the tools and removes the temporary file or folder.
 */
export async function createBackup(
  adapter: Adapter,
  config: Migr8Config,
  options: CreateBackupOptions,
  context: RunContext = {},
): Promise<BackupRecord> {
  throwIfAborted(context.signal)
  const started = performance.now()
  const createdAt = new Date()
  const driver = await backupDriverFor(adapter.dialect)
  const format = options.format ?? config.backups.format
  const compress = options.compress ?? config.backups.compress
  if (options.label !== undefined && options.label.length > 200) {
    throw new Migr8Error('BAD_USAGE', 'The backup label is longer than 200 characters.', 'Use a shorter --label.')
  }
  if (options.jobs !== undefined && (!Number.isInteger(options.jobs) || options.jobs < 1 || format !== 'directory')) {
    throw new Migr8Error(
      'BAD_USAGE',
      format === 'directory'
        ? `--jobs ${options.jobs} is not a positive whole number.`
        : `--jobs applies to the directory format only (this backup is ${format}).`,
      format === 'directory' ? 'Write e.g. --jobs 4.' : 'Add --format directory (PostgreSQL), or leave --jobs out.',
    )
  }
  // Tools are found and probed before any file is created.
  const plan = await driver.planDump(adapter, { format, compress, jobs: options.jobs })
  const compression: CompressionPlan = plan.ownCompression
    ? {
        compression: plan.ownCompression,
        extension: '',
        compressor: undefined,
        compress: (await planCompression('none')).compress,
      }
    : await planCompression(compress)
  // Read on Migr8's own connection while the dump runs: the dump does not wait for them.
  const metadata = (async () => {
    const server = await adapter.ping()
    return { server, migrationVersion: (await readMigrationVersion(adapter, config.migrations.table)) ?? null }
  })()
  metadata.catch(() => undefined)

  const dir = backupDir(config)
  await mkdir(dir, { recursive: true, mode: 0o750 }).catch((error: unknown) => {
    throw asMigr8Error(
      error,
      'BACKUP_FAILED',
      `Cannot create the backup folder ${dir}`,
      'Check backups.dir and the permissions of its parent folder.',
    )
  })
  const id = newBackupId(adapter.connection.database, createdAt, randomBytes(3).toString('hex'))
  const file = `${id}${plan.extension}${compression.extension}`
  const finalPath = insideBackupDir(dir, file)
  const temp = insideBackupDir(dir, `${file}${PARTIAL_SUFFIX}`)
  context.onLog?.(
    'info',
    `backing up ${adapter.connection.database} with ${plan.tool} ${plan.toolVersion}${plan.jobs ? ` (${plan.jobs} jobs)` : ''}${compression.compressor ? ` | ${compression.compressor}` : ''} to ${temp}`,
  )

  let written: Written | undefined
  let facts: Awaited<typeof metadata> | undefined
  for (let attempt = 1; !written; attempt++) {
    try {
      written = await runDump(plan, compression, dir, temp, context)
      facts = await metadata
      throwIfAborted(context.signal)
      await rename(temp, finalPath)
      await fsyncDir(dir)
    } catch (error) {
      written = undefined
      await removeStored(temp)
      const typed = asMigr8Error(
        error,
        'BACKUP_FAILED',
        `Backup of ${adapter.connection.database}`,
        REMEDY,
        context.signal,
      )
      if (attempt >= SNAPSHOT_ATTEMPTS || context.signal?.aborted || !tableChangedUnderSnapshot(typed)) throw typed
      context.onLog?.(
        'warn',
        `a table was created or altered as the dump began; starting it again (${attempt + 1}/${SNAPSHOT_ATTEMPTS})`,
      )
    }
  }

  const { server, migrationVersion } = facts!
  const record: BackupRecord = {
    schemaVersion: 1,
    id,
    profile: options.profile ?? 'default',
    driver: adapter.dialect,
    database: adapter.connection.database,
    serverVersion: server.version,
    createdAt: createdAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    sizeRaw: written.sizeRaw,
    sizeCompressed: written.sizeCompressed,
    sha256: written.sha256,
    tool: plan.tool,
    toolVersion: plan.toolVersion,
    ...(compression.compressor ? { compressor: compression.compressor } : {}),
    migrationVersion,
    ...(options.label ? { label: options.label } : {}),
    format: plan.format,
    compression: compression.compression,
    file,
  }
  try {
    throwIfAborted(context.signal)
    await writeRecord(dir, record)
  } catch (error) {
    // Without its metadata the file is not a backup: remove it rather than leave an orphan.
    await removeStored(finalPath)
    throw asMigr8Error(error, 'BACKUP_FAILED', `Writing the metadata of ${id}`, REMEDY, context.signal)
  }
  context.onProgress?.({ phase: 'done', done: written.sizeCompressed, total: written.sizeCompressed, unit: 'bytes' })
  return record
}
