import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import type { ProgressEvent } from '../../src-shared/progress.js'
import { decompressor } from './compression.js'
import type { DecompressedInput, LoadInput } from './driver.js'
import { spawnTool, type RunningTool, type SpawnToolOptions } from './process.js'
import type { Tool } from './tools.js'
import { Meter, fsyncPath } from './files.js'
import type { BackupRecord } from './types.js'

/** The stored file, metered (progress over stored bytes), then decompressed. */
export async function openDecompressed(
  path: string,
  record: Pick<BackupRecord, 'compression' | 'format' | 'sizeCompressed'>,
  phase: string,
  onProgress?: (event: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<DecompressedInput> {
  // A custom archive carries its compression inside; the file itself is read as is.
  const meter = new Meter({ phase, total: record.sizeCompressed, onProgress })
  const file = createReadStream(path, { highWaterMark: 1 << 20 })
  if (record.format === 'custom' || record.compression === 'none') {
    return { streams: [file, meter], exited: Promise.resolve(), kill: () => undefined }
  }
  const codec = await decompressor(record.compression, signal)
  return {
    get streams() {
      return [file, meter, codec.stream]
    },
    ...(codec.pipes?.stdin ? { handoff: { feed: [file, meter, codec.pipes.stdin], output: codec.pipes.stdout } } : {}),
    exited: codec.exited,
    kill: codec.kill,
  }
}

/** Decompresses a stored file into `destination` (fsynced); removes it on failure. */
export async function decompressToFile(
  path: string,
  record: Pick<BackupRecord, 'compression' | 'format' | 'sizeCompressed'>,
  destination: string,
  phase: string,
  onProgress?: (event: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const input = await openDecompressed(path, record, phase, onProgress, signal)
  try {
    await pipeline(
      [...input.streams, createWriteStream(destination, { flags: 'wx', mode: 0o600 })] as unknown as Parameters<
        typeof pipeline
      >[0][],
      { signal },
    )
    await input.exited
    await fsyncPath(destination, 'r+')
  } catch (error) {
    input.kill()
    await rm(destination, { force: true })
    throw error
  }
}

/**
 * Runs a loading tool (psql, mariadb) on the decompressed backup. With an external decompressor
 * its stdout becomes the tool's stdin directly (no copy through Node); otherwise Node pipes the
 * decompressed stream into the tool. Waits for both; the tool's own error wins over a broken pipe.
 */
export async function loadThroughTool(
  tool: Tool,
  args: string[],
  options: Omit<SpawnToolOptions, 'stdin'>,
  input: LoadInput,
  signal: AbortSignal | undefined,
): Promise<void> {
  const source = await input.decompressed(signal)
  const handoff = source.handoff
  let running: RunningTool
  try {
    running = spawnTool(tool, args, {
      ...options,
      stdin: handoff ? handoff.output : 'pipe',
      stdout: options.stdout ?? 'ignore',
      signal,
    })
  } catch (error) {
    source.kill()
    throw error
  }
  // The tool holds its own copy of the pipe; Node's must close so the decompressor sees the tool exit.
  if (handoff) handoff.output.destroy()
  const feed = handoff ? handoff.feed : [...source.streams, running.child.stdin!]
  try {
    await pipeline(feed as unknown as Parameters<typeof pipeline>[0][], { signal })
    await source.exited
  } catch (error) {
    running.kill()
    source.kill()
    await running.exited
    throw error
  }
  await running.exited
}
