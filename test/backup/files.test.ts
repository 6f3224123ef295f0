import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ProgressEvent } from '../../src-shared/progress.js'
import { Meter, hashFile, hashWhileWritten } from '../../src-main/backup/files.js'

const dir = mkdtempSync(join(tmpdir(), 'migr8-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** A child process that appends `chunks` random chunks to its stdout (the file), pausing between them. */
function slowWriter(fd: number, chunks: number, failAtEnd = false): Promise<void> {
  const script = `
    const { randomBytes } = require('node:crypto')
    let left = ${chunks}
    const next = () => {
      if (left-- === 0) process.exit(${failAtEnd ? 3 : 0})
      require('node:fs').writeSync(1, randomBytes(700_000))
      setTimeout(next, 30)
    }
    next()`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', fd, 'inherit'] })
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`)))),
  )
}

describe('hashing a file as a tool writes it', () => {
  it('follows the file while it grows and covers exactly the bytes stored', async () => {
    const path = join(dir, 'growing')
    const handle = await open(path, 'wx+', 0o640)
    try {
      const events: ProgressEvent[] = []
      const meter = new Meter({ hash: true, phase: 'dumping', onProgress: (event) => events.push(event) })
      const written = slowWriter(handle.fd, 12)
      await Promise.all([written, hashWhileWritten(handle, written, meter)])
      const stored = readFileSync(path)
      expect(stored.length).toBe(12 * 700_000)
      expect(meter.bytes).toBe(stored.length)
      expect(meter.digest()).toBe(sha256(stored))
      expect(events.at(-1)).toMatchObject({ phase: 'dumping', done: stored.length, unit: 'bytes' })
    } finally {
      await handle.close()
    }
  })

  it('stops without an error of its own when the tool fails (the caller reports the tool)', async () => {
    const handle = await open(join(dir, 'failing'), 'wx+', 0o640)
    try {
      const written = slowWriter(handle.fd, 3, true)
      const hashing = hashWhileWritten(handle, written, new Meter({ hash: true }))
      await expect(written).rejects.toThrow(/exited with 3/)
      await expect(hashing).resolves.toBeUndefined()
    } finally {
      await handle.close()
    }
  })

  it('stops with CANCELLED when aborted', async () => {
    const handle = await open(join(dir, 'aborted'), 'wx+', 0o640)
    try {
      const controller = new AbortController()
      const written = slowWriter(handle.fd, 6)
      const hashing = hashWhileWritten(handle, written, new Meter({ hash: true }), controller.signal)
      controller.abort()
      await expect(hashing).rejects.toMatchObject({ code: 'CANCELLED' })
      await written
    } finally {
      await handle.close()
    }
  })

  it('hashFile reads a complete file across buffer boundaries', async () => {
    const bytes = randomBytes(3 * 1048576 + 12345)
    const path = join(dir, 'complete')
    writeFileSync(path, bytes)
    expect(await hashFile(path)).toEqual({ sha256: sha256(bytes), size: bytes.length })
    writeFileSync(join(dir, 'empty'), '')
    expect(await hashFile(join(dir, 'empty'))).toEqual({ sha256: sha256(Buffer.alloc(0)), size: 0 })
  })
})
