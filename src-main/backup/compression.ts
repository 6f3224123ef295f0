import { Duplex, Transform, type Readable, type TransformCallback, type Writable } from 'node:stream'
import { createGunzip, createGzip, constants as zlibConstants } from 'node:zlib'
import { Migr8Error } from '../../src-shared/errors.js'
import type { BackupCompression } from './types.js'
import { spawnTool, type RunningTool } from './process.js'
import { COMPRESSORS, findTool, requireTool, type Tool } from './tools.js'

/**
 * Compression of plain dumps. Compression is the bottleneck of a backup (pg_dump streams far
 * faster than one gzip core), so the fastest correct path wins: an external multi-threaded `zstd`
 * when installed, `pigz` for gzip when installed, Node's zlib as the portable fallback.
 */
export interface CompressionPlan {
  compression: BackupCompression
  /** File extension added after the dump's own (".gz", ".zst", ""). */
  extension: string
  /** "zstd 1.5.4", "pigz 2.6", "node-zlib" or undefined for none. */
  compressor?: string
  /** A fresh compressing stream (for an external tool, a duplex over its stdin/stdout). */
  compress(signal?: AbortSignal): CodecStream
  /**
   * Set when the compressor is a process that can read another process's stdout (or an open file)
   * directly and write into the file `output` (an open descriptor) itself, no byte passing through
   * Node, and reports how many bytes it read (zstd -vv).
   */
  compressPipe?(input: Readable | number, output: number, signal?: AbortSignal): PipedCompressor
}

/** A compressor process between a dump tool's stdout and the backup file. */
export interface PipedCompressor {
  exited: Promise<void>
  kill(): void
  /** Bytes the compressor read, from its own final report; undefined when unknown. */
  inputBytes(): number | undefined
}

export interface CodecStream {
  /** The codec as one duplex stream (for an external tool, created on first use). */
  readonly stream: Duplex
  /**
   * For an external tool, its raw stdin/stdout: the stdout can be handed to another process as its
   * stdin, so decompressed data flows between the two without passing through Node. Use either
   * this or `stream`, never both.
   */
  readonly pipes?: { stdin?: Writable; stdout: Readable }
  /** No compression: `stream` changes nothing and may be left out of a pipeline. */
  readonly passThrough?: boolean
  /** Resolves when an external compressor exits cleanly (at once for Node streams). */
  exited: Promise<void>
  kill(): void
}

/** Node zlib level: 3 is about twice as fast as 6 for a few percent more output on SQL text. */
export const NODE_GZIP_LEVEL = 3
export const ZSTD_LEVEL = 3

const nodeGzip: CompressionPlan = {
  compression: 'gzip',
  extension: '.gz',
  compressor: 'node-zlib',
  compress: () => ({
    stream: createGzip({
      level: NODE_GZIP_LEVEL,
      chunkSize: 256 * 1024,
      memLevel: 9,
      strategy: zlibConstants.Z_DEFAULT_STRATEGY,
    }),
    exited: Promise.resolve(),
    kill: () => undefined,
  }),
}

const none: CompressionPlan = {
  compression: 'none',
  extension: '',
  compress: () => ({
    stream: new PassThroughCodec(),
    passThrough: true,
    exited: Promise.resolve(),
    kill: () => undefined,
  }),
}

class PassThroughCodec extends Transform {
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk)
  }
}

const COMPRESSOR_REMEDY = 'Check the compressor works (`zstd --version`), or set backups.compress to gzip.'

/**
 * Starts an external filter. `input` (another tool's stdout pipe, or an open file descriptor)
 * becomes its stdin, `output` (an open file descriptor) its stdout; otherwise Node holds the pipes.
 */
function startFilter(
  tool: Tool,
  args: string[],
  what: string,
  signal: AbortSignal | undefined,
  failure: 'BACKUP_FAILED' | 'BACKUP_CORRUPT',
  io: { input?: Readable | number; output?: number } = {},
): RunningTool {
  const running = spawnTool(tool, args, {
    env: process.env,
    stdin: io.input ?? 'pipe',
    stdout: io.output ?? 'pipe',
    signal,
    failure,
    what,
    remedy: COMPRESSOR_REMEDY,
  })
  // The compressor holds its own copy of the input pipe; Node's must close (EOF/EPIPE reach the tools).
  if (typeof io.input === 'object') io.input.destroy()
  return running
}

/** A duplex over an external filter's stdin → stdout. */
function externalCodec(
  tool: Tool,
  args: string[],
  what: string,
  signal?: AbortSignal,
  failure: 'BACKUP_FAILED' | 'BACKUP_CORRUPT' = 'BACKUP_FAILED',
): CodecStream {
  const running = startFilter(tool, args, what, signal, failure)
  const stdin = running.child.stdin!
  const stdout = running.child.stdout!
  let stream: Duplex | undefined
  return {
    get stream() {
      return (stream ??= Duplex.from({ writable: stdin, readable: stdout }))
    },
    pipes: { stdin, stdout },
    exited: running.exited,
    kill: running.kill,
  }
}

/** zstd -vv ends with "(6754388 B => 5090817 B, …)" (1.5) or "(6754388 => 5090817 bytes, …)" (1.4). */
export function zstdInputBytes(stderr: string): number | undefined {
  const matches = [...stderr.matchAll(/\(\s*(\d+)\s*B?\s*=>\s*(\d+)\s*(?:B|bytes)\b/g)]
  const last = matches.at(-1)
  return last ? Number(last[1]) : undefined
}

function externalPlan(compression: 'gzip' | 'zstd', tool: Tool): CompressionPlan {
  const args = compression === 'zstd' ? [`-${ZSTD_LEVEL}`, '-T0', '-q', '-c'] : [`-${NODE_GZIP_LEVEL + 3}`, '-c', '-n']
  return {
    compression,
    extension: compression === 'zstd' ? '.zst' : '.gz',
    compressor: `${tool.name} ${tool.version}`,
    compress: (signal) => externalCodec(tool, args, `${tool.name} compression`, signal),
    ...(compression === 'zstd'
      ? {
          compressPipe: (input: Readable | number, output: number, signal?: AbortSignal): PipedCompressor => {
            const running = startFilter(
              tool,
              [...args.filter((arg) => arg !== '-q'), '-vv'],
              `${tool.name} compression`,
              signal,
              'BACKUP_FAILED',
              { input, output },
            )
            return { exited: running.exited, kill: running.kill, inputBytes: () => zstdInputBytes(running.stderr()) }
          },
        }
      : {}),
  }
}

export type CompressRequest = 'auto' | 'gzip' | 'zstd' | 'none'

/**
 * auto: zstd when the binary is installed, else gzip (pigz if installed, else Node zlib).
 * gzip: pigz if installed, else Node zlib. zstd: the binary is required. none: stored as is.
 */
export async function planCompression(request: CompressRequest): Promise<CompressionPlan> {
  if (request === 'none') return none
  if (request === 'zstd') return externalPlan('zstd', await requireTool(COMPRESSORS.zstd, 'compress backups with zstd'))
  if (request === 'auto' && process.env.MIGR8_NO_EXTERNAL_COMPRESSOR !== '1') {
    const zstd = await findTool(COMPRESSORS.zstd)
    if (zstd) return externalPlan('zstd', zstd)
  }
  if (process.env.MIGR8_NO_EXTERNAL_COMPRESSOR !== '1') {
    const pigz = await findTool(COMPRESSORS.pigz)
    if (pigz) return externalPlan('gzip', pigz)
  }
  return nodeGzip
}

/** A decompressing stream for a stored file's compression (gzip in Node; zstd needs the binary). */
export async function decompressor(compression: BackupCompression, signal?: AbortSignal): Promise<CodecStream> {
  switch (compression) {
    case 'none':
      return none.compress(signal)
    case 'gzip':
      return { stream: createGunzip({ chunkSize: 256 * 1024 }), exited: Promise.resolve(), kill: () => undefined }
    case 'zstd': {
      const tool = await requireTool(COMPRESSORS.zstd, 'read a zstd-compressed backup')
      return externalCodec(tool, ['-d', '-q', '-c'], 'zstd decompression', signal, 'BACKUP_CORRUPT')
    }
    default:
      throw new Migr8Error(
        'BACKUP_CORRUPT',
        `Unknown compression "${String(compression)}" in the backup metadata.`,
        'The metadata file was edited or comes from a newer Migr8.',
      )
  }
}
