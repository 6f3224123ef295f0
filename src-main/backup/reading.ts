import { createReadStream, createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import type { ProgressEvent } from '../../src-shared/progress.js'
import { decompressor } from './compression.js'
import type { DecompressedInput } from './driver.js'
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
    streams: [file, meter, codec.stream],
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
