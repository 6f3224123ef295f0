import { createHash, type Hash } from 'node:crypto'
import { lstat, open, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
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
    this.count(chunk)
    callback(null, chunk)
  }

  /** Counts and hashes bytes that do not flow through the stream (see hashWhileWritten). */
  count(chunk: Buffer): void {
    this.bytes += chunk.length
    this.hash?.update(chunk)
    if (this.options.onProgress) {
      const now = performance.now()
      if (now - this.lastReport >= 200) {
        this.lastReport = now
        this.report()
      }
    }
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

/** SHA-256 and size of a file. */
export async function hashFile(
  path: string,
  onProgress?: (event: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<{ sha256: string; size: number }> {
  const meter = new Meter({ hash: true, phase: 'checksum', onProgress })
  const handle = await open(path, 'r')
  try {
    await hashWhileWritten(handle, undefined, meter, signal)
  } finally {
    await handle.close()
  }
  return { sha256: meter.digest(), size: meter.bytes }
}

/** How long the hashing waits for more bytes once it has caught up with the writing tool. */
const CAUGHT_UP_WAIT_MS = 20

/**
 * Hashes into `meter` the file a tool is appending to (its stdout is the file), following it as it
 * grows, then, once `written` settles, up to its end: the digest covers exactly the bytes stored,
 * read back from the page cache rather than piped through Node. Only for tools that never seek
 * back in their output. Stops early, without error, when `written` rejects (the caller reports it).
 * Without `written`, the file is complete. One reused buffer: no stream, no garbage per chunk.
 */
export async function hashWhileWritten(
  handle: FileHandle,
  written: Promise<unknown> | undefined,
  meter: Meter,
  signal?: AbortSignal,
): Promise<void> {
  const tool: { state: 'running' | 'ok' | 'failed' } = { state: written ? 'running' : 'ok' }
  const settle = (written ?? Promise.resolve()).then(
    () => void (tool.state = 'ok'),
    () => void (tool.state = 'failed'),
  )
  // Two buffers: the next read runs on the thread pool while the previous chunk is being hashed.
  const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)]
  let turn = 0
  let position = 0
  // Each read notes first whether the tool had finished: an empty read then means the end of the file.
  const readNext = () => {
    const finished = tool.state
    const reading = handle
      .read(buffers[turn], 0, buffers[turn].length, position)
      .then(({ bytesRead }) => ({ finished, bytesRead }))
    // A read left behind when hashing stops early must not become an unhandled rejection.
    reading.catch(() => undefined)
    return reading
  }
  let pending = readNext()
  for (;;) {
    const { finished, bytesRead } = await pending
    if (signal?.aborted) throw cancelled()
    if (tool.state === 'failed') return
    if (bytesRead > 0) {
      const chunk = buffers[turn].subarray(0, bytesRead)
      position += bytesRead
      turn ^= 1
      pending = readNext()
      meter.count(chunk)
    } else if (finished === 'ok') {
      meter.report()
      return
    } else {
      await Promise.race([settle, new Promise((resolve) => setTimeout(resolve, CAUGHT_UP_WAIT_MS))])
      pending = readNext()
    }
  }
}

/** Names pg_dump writes into a directory archive (toc.dat, 3456.dat.gz, blobs.toc, …). */
const ARCHIVE_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/

export interface DirectoryFile {
  name: string
  path: string
  size: number
}

/**
 * The files of a backup folder (pg_dump's directory format), sorted by name in byte order. The
 * folder itself and everything in it must be plain: a symlink, a subfolder or an odd name could
 * lead reads and deletes outside the backup folder, so any of them is refused.
 */
export async function directoryFiles(path: string): Promise<DirectoryFile[]> {
  const refuse = (what: string) =>
    new Migr8Error(
      'PATH_INVALID',
      `${path} is not a backup folder Migr8 made: ${what}.`,
      'A backup folder holds only the files pg_dump wrote; delete it by hand if it is not yours.',
    )
  const self = await lstat(path)
  if (!self.isDirectory()) throw refuse(self.isSymbolicLink() ? 'it is a symbolic link' : 'it is not a folder')
  const names = (await readdir(path)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const files: DirectoryFile[] = []
  for (const name of names) {
    if (!ARCHIVE_FILE_NAME.test(name)) throw refuse(`it contains "${name.slice(0, 80)}"`)
    const entry = await lstat(join(path, name))
    if (!entry.isFile()) throw refuse(`${name} inside it is not a regular file`)
    files.push({ name, path: join(path, name), size: entry.size })
  }
  return files
}

/** Total bytes of the files in a backup folder; undefined when it is missing or not a plain backup folder. */
export async function directorySize(path: string): Promise<number | undefined> {
  return directoryFiles(path).then(
    (files) => files.reduce((sum, file) => sum + file.size, 0),
    () => undefined,
  )
}

/**
 * SHA-256 and total size of a backup folder. The digest is that of its `sha256sum` manifest (a line
 * `<sha256 hex>  <name>` per file, names in byte order), so names and contents both count and it
 * can be checked with standard tools: `cd ID.dir && LC_ALL=C ls | xargs sha256sum | sha256sum`.
 * With `fsync`, each file is flushed to disk after it is read, then the folder itself.
 */
export async function hashDirectory(
  path: string,
  onProgress?: (event: ProgressEvent) => void,
  signal?: AbortSignal,
  options: { fsync?: boolean } = {},
): Promise<{ sha256: string; size: number }> {
  const files = await directoryFiles(path)
  const total = files.reduce((sum, file) => sum + file.size, 0)
  const manifest = createHash('sha256')
  let size = 0
  for (const file of files) {
    const offset = size
    const hashed = await hashFile(
      file.path,
      onProgress && ((event) => onProgress({ ...event, done: offset + (event.done ?? 0), total, rate: undefined })),
      signal,
    )
    if (options.fsync) await fsyncPath(file.path, 'r+')
    manifest.update(`${hashed.sha256}  ${file.name}\n`)
    size += hashed.size
  }
  if (options.fsync) await fsyncDir(path)
  return { sha256: manifest.digest('hex'), size }
}

/**
 * Reports the bytes in a folder a tool is filling (pg_dump -Fd writes no stream Migr8 could
 * meter), every `everyMs`, until the returned function is called.
 */
export function watchDirectorySize(
  path: string,
  phase: string,
  onProgress: ((event: ProgressEvent) => void) | undefined,
  everyMs = 250,
): () => void {
  if (!onProgress) return () => undefined
  const started = performance.now()
  let busy = false
  let stopped = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    void sumSizes(path)
      .then((bytes) => {
        const seconds = (performance.now() - started) / 1000
        if (!stopped) onProgress({ phase, done: bytes, unit: 'bytes', rate: seconds > 0 ? bytes / seconds : undefined })
      })
      .finally(() => (busy = false))
  }, everyMs)
  timer.unref()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}

/** Bytes of the files in a folder as they are now (files may come and go while it runs). */
async function sumSizes(path: string): Promise<number> {
  const names = await readdir(path).catch(() => [] as string[])
  const sizes = await Promise.all(
    names.map((name) =>
      lstat(join(path, name)).then(
        (entry) => (entry.isFile() ? entry.size : 0),
        () => 0,
      ),
    ),
  )
  return sizes.reduce((sum, size) => sum + size, 0)
}

/**
 * Best-effort removal of a stored backup or a leftover of one, file or folder (symbolic links are
 * removed, never followed). Retried: the workers of a killed dump may still be closing files in it.
 */
export async function removeStored(path: string): Promise<void> {
  await rm(path, { force: true, recursive: true, maxRetries: 5 }).catch(() => undefined)
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
