import { isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'
import { cancelled } from '../../src-shared/errors.js'
import { firstInvalidUtf8, incompleteTail } from './csv.js'

export interface ScanResult {
  /** One of the needles occurs in the file. */
  found: boolean
  /** Offset near the first byte that is not valid UTF-8, if any. */
  invalidUtf8At?: number
  /**
   * The file holds an odd number of double quotes: some quoted field is never closed (in valid CSV
   * quotes come in pairs). The database would read it to the end of the file as one value.
   */
  oddQuotes: boolean
}

/**
 * Checks a file's bytes chunk by chunk with native searches only (no parsing): whether any of
 * `needles` occurs, whether the bytes are valid UTF-8 and whether quotes pair up. Decides if a file
 * can be sent to the database byte for byte; a false positive only costs speed.
 */
export class ByteScanner {
  private readonly patterns: Buffer[]
  private readonly overlap: number
  private tail: Buffer = Buffer.alloc(0)
  private carry: Buffer = Buffer.alloc(0)
  private offset = 0
  private quotes = 0
  found = false
  invalidUtf8At?: number

  constructor(needles: string[]) {
    this.patterns = needles.filter((needle) => needle.length > 0).map((needle) => Buffer.from(needle, 'utf8'))
    this.overlap = this.patterns.length > 0 ? Math.max(...this.patterns.map((p) => p.length)) - 1 : 0
  }

  /** Scans the next chunk; false once the file is known not to be sendable as it is. */
  push(chunk: Buffer): boolean {
    if (this.invalidUtf8At !== undefined) return false
    const bytes: Buffer = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    const keep = incompleteTail(bytes)
    const whole = bytes.subarray(0, bytes.length - keep)
    if (!isUtf8(whole)) {
      this.invalidUtf8At = this.offset + Math.max(firstInvalidUtf8(whole), 0)
      return false
    }
    for (let at = chunk.indexOf(0x22); at !== -1; at = chunk.indexOf(0x22, at + 1)) this.quotes++
    this.offset += whole.length
    this.carry = Buffer.from(bytes.subarray(bytes.length - keep))
    if (!this.found && this.patterns.length > 0) {
      const window: Buffer = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk
      for (const pattern of this.patterns) if (window.indexOf(pattern) !== -1) this.found = true
      this.tail = Buffer.from(window.subarray(Math.max(window.length - this.overlap, 0)))
    }
    return !this.found
  }

  /** The verdict once every chunk was pushed. */
  end(): ScanResult {
    if (this.invalidUtf8At === undefined && this.carry.length > 0) this.invalidUtf8At = this.offset
    if (this.invalidUtf8At !== undefined)
      return { found: this.found, invalidUtf8At: this.invalidUtf8At, oddQuotes: false }
    return { found: this.found, oddQuotes: this.quotes % 2 === 1 }
  }
}

/** Scans a whole file (see ByteScanner) before anything is sent. */
export async function scanFile(file: string, needles: string[], signal?: AbortSignal): Promise<ScanResult> {
  const scanner = new ByteScanner(needles)
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw cancelled()
    // Invalid UTF-8 ends the scan; a needle found does not, as callers also want the other answers.
    if (!scanner.push(chunk) && scanner.invalidUtf8At !== undefined) break
  }
  return scanner.end()
}
