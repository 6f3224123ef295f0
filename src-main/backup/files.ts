import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Migr8Error, cancelled, isMigr8Error, type ErrorCode } from '../../src-shared/errors.js'
import type { ProgressEvent } from '../../src-shared/progress.js'

/** Counts (and optionally hashes) the bytes flowing through; reports progress at most every 200 ms. */
export class Meter extends Transform {
  bytes = 0
  private readonly hash?: Hash
  private readonly started = performance.now()
  private lastReport = 0

  constructor(
    private readonly options: {
      hash?: boolean
      phase?: string
      total?: number
      onProgress?: (event: ProgressEvent) => void
    } = {},
  ) {
    super({ highWaterMark: 1 << 20 })
    if (options.hash) this.hash = createHash('sha256')
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    this.hash?.update(chunk)
    if (this.options.onProgress) {
      const now = performance.now()
      if (now - this.lastReport >= 200) {
        this.lastReport = now
        this.report()
      }
    }
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.report()
    callback()
  }

  report(): void {
    const seconds = (performance.now() - this.started) / 1000
    this.options.onProgress?.({
      phase: this.options.phase ?? 'working',
      done: this.bytes,
      total: this.options.total,
      unit: 'bytes',
      rate: seconds > 0 ? this.bytes / seconds : undefined,
      message: `${seconds.toFixed(1)} s`,
    })
  }

  digest(): string {
    if (!this.hash) throw new Error('Meter created without hash')
    return this.hash.digest('hex')
  }
}

/** SHA-256 and size of a file, streamed. */
export async function hashFile(
  path: string,
  onProgress?: (event: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number }> {
  const meter = new Meter({ hash: true, phase: 'checksum', onProgress })
  const sink = new Transform({ transform: (_chunk, _encoding, callback) => callback() })
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), meter, sink, { signal })
  return { sha256: meter.digest(), size: meter.bytes }
}

export async function fsyncPath(path: string, flags = 'r'): Promise<void> {
  const handle = await open(path, flags)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Makes a rename durable: fsync the folder (not possible on Windows; ignored there). */
export async function fsyncDir(dir: string): Promise<void> {
  await fsyncPath(dir).catch(() => undefined)
}

/** Writes `path` atomically: temp file beside it, fsync, rename, fsync the folder. */
export async function writeFileAtomic(path: string, content: string, tempSuffix = '.partial'): Promise<void> {
  const temp = `${path}${tempSuffix}`
  try {
    await writeFile(temp, content, { mode: 0o640, flag: 'w' })
    await fsyncPath(temp, 'r+')
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw error
  }
  await fsyncDir(dirname(path))
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])

/** Turns anything thrown during a backup/restore into a Migr8Error of the given code. */
export function asMigr8Error(
  error: unknown,
  code: ErrorCode,
  what: string,
  remedy: string,
  signal?: AbortSignal,
): Migr8Error {
  if (signal?.aborted) return cancelled()
  if (isMigr8Error(error)) return error
  const e = error as NodeJS.ErrnoException
  if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return cancelled()
  if (e?.code && DISK_FULL.has(e.code)) {
    return new Migr8Error(
      'DISK_FULL',
      `${what}: no space left (${e.code}${e.path ? ` writing ${e.path}` : ''}).`,
      'Free some space in the backup folder (or run `migr8 backup clean`) and run again.',
      { errno: e.code },
      error,
    )
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') {
    return new Migr8Error(
      'PERMISSION_DENIED',
      `${what}: ${e.message}.`,
      'Check the backup folder exists and is writable by this user.',
      { errno: e.code },
      error,
    )
  }
  if (e?.code === 'EPIPE' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new Migr8Error(
      code,
      `${what}: a tool in the pipeline stopped early (${e.code}).`,
      remedy,
      { errno: e.code },
      error,
    )
  }
  return new Migr8Error(code, `${what}: ${e?.message ?? String(error)}`, remedy, undefined, error)
}
