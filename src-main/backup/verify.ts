import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Migr8Error, cancelled, isMigr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { Migr8Config } from '../config/schema.js'
import { findRecord, writeRecord } from './catalog.js'
import { decompressor } from './compression.js'
import type { BackupDriver } from './driver.js'
import { backupDriverFor } from './drivers.js'
import { Meter, hashDirectory, hashFile } from './files.js'
import { backupDir, insideBackupDir } from './paths.js'
import { createReadStream } from 'node:fs'
import type { BackupRecord, VerifyResult } from './types.js'

const CORRUPT_REMEDY = 'Do not rely on this backup: take a new one (and delete this one with `migr8 backup delete`).'

/** Keeps the last bytes that flow into it, to check how a dump ends. */
class Tail extends Writable {
  private tail: Buffer = Buffer.alloc(0)
  constructor(private readonly keep = 4096) {
    super({ highWaterMark: 1 << 20 })
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.tail =
      chunk.length >= this.keep
        ? chunk.subarray(chunk.length - this.keep)
        : Buffer.concat([this.tail, chunk]).subarray(-this.keep)
    callback()
  }
  text(): string {
    return this.tail.toString('utf8')
  }
}

function corrupt(record: BackupRecord, why: string, cause?: unknown): Migr8Error {
  return new Migr8Error(
    'BACKUP_CORRUPT',
    `Backup ${record.id} is damaged: ${why}`,
    CORRUPT_REMEDY,
    { id: record.id },
    cause,
  )
}

/** One pass over a plain dump: checksum of the stored bytes, decompression, and the dump's end marker. */
async function verifyPlain(
  driver: BackupDriver,
  path: string,
  record: BackupRecord,
  context: RunContext,
): Promise<string> {
  const meter = new Meter({
    hash: true,
    phase: 'verifying',
    total: record.sizeCompressed,
    onProgress: context.onProgress,
  })
  const codec = await decompressor(record.compression, context.signal)
  const tail = new Tail()
  try {
    await pipeline(
      [createReadStream(path, { highWaterMark: 1 << 20 }), meter, codec.stream, tail] as unknown as Parameters<
        typeof pipeline
      >[0][],
      { signal: context.signal },
    )
    await codec.exited
  } catch (error) {
    codec.kill()
    if (context.signal?.aborted) throw cancelled()
    if (isMigr8Error(error) && error.code !== 'BACKUP_CORRUPT') throw error
    throw corrupt(record, `it does not decompress (${(error as Error).message.split('\n')[0]}).`, error)
  }
  if (meter.bytes !== record.sizeCompressed || meter.digest() !== record.sha256)
    throw corrupt(record, 'its SHA-256 does not match the one recorded when it was made.')
  if (driver.completeMarker && !driver.completeMarker.test(tail.text())) {
    throw corrupt(record, `it does not end the way a complete ${record.tool} dump does (the dump was cut short).`)
  }
  return `sha256 + ${record.compression === 'none' ? 'read' : record.compression === 'zstd' ? 'zstd -d' : 'gunzip'} + end-of-dump marker`
}

/** Verifies a record (checksum + full read pass) and marks it verified; returns the updated record. */
export async function verifyRecord(
  config: Migr8Config,
  record: BackupRecord,
  context: RunContext = {},
): Promise<VerifyResult> {
  const started = performance.now()
  const dir = backupDir(config)
  const path = insideBackupDir(dir, record.file)
  const driver = await backupDriverFor(record.driver)
  let check: string
  if (record.format === 'plain') {
    check = await verifyPlain(driver, path, record, context)
  } else {
    const stored =
      record.format === 'directory'
        ? hashDirectory(path, context.onProgress, context.signal)
        : hashFile(path, context.onProgress, context.signal)
    const { sha256, size } = await stored.catch((error: unknown) => {
      throw context.signal?.aborted
        ? cancelled()
        : corrupt(record, `it cannot be read (${(error as Error).message}).`, error)
    })
    if (size !== record.sizeCompressed || sha256 !== record.sha256)
      throw corrupt(record, 'its SHA-256 does not match the one recorded when it was made.')
    if (!driver.verifyArchive) throw new Error(`no read pass for ${record.format} backups`)
    check = `sha256 + ${await driver.verifyArchive(path, record, dir, context)}`
  }
  throwIfAborted(context.signal)
  const verified: BackupRecord = { ...record, verifiedAt: new Date().toISOString() }
  await writeRecord(dir, verified)
  return { record: verified, checksumOk: true, check, durationMs: Math.round(performance.now() - started) }
}

/** `backup verify ID`: checksum plus a full read pass; marks the backup verified only after both. */
export async function verifyBackup(config: Migr8Config, id: string, context: RunContext = {}): Promise<VerifyResult> {
  const record = await findRecord(backupDir(config), id)
  return verifyRecord(config, record, context)
}
