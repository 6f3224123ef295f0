import { isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'
import { cancelled } from '../../src-shared/errors.js'
import { firstInvalidUtf8 } from './csv.js'

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

/** Bytes at the end of `chunk` that start a UTF-8 sequence the chunk does not finish. */
function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back]
    if ((byte & 0xc0) === 0x80) continue // continuation byte: keep looking for the lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return length > back ? back : 0
  }
  return 0
}

/**
 * Reads a file once with native searches only (no parsing): whether any of `needles` occurs, and
 * whether the bytes are valid UTF-8. Decides if a file can be sent to the database byte for byte;
 * a false positive only costs speed.
 */
export async function scanFile(file: string, needles: string[], signal?: AbortSignal): Promise<ScanResult> {
  const patterns = needles.filter((needle) => needle.length > 0).map((needle) => Buffer.from(needle, 'utf8'))
  const overlap = patterns.length > 0 ? Math.max(...patterns.map((p) => p.length)) - 1 : 0
  let tail: Buffer = Buffer.alloc(0)
  let carry: Buffer = Buffer.alloc(0)
  let offset = 0
  let found = false
  let quotes = 0
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw cancelled()
    const bytes: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk
    const keep = incompleteTail(bytes)
    const whole = bytes.subarray(0, bytes.length - keep)
    if (!isUtf8(whole)) return { found, invalidUtf8At: offset + Math.max(firstInvalidUtf8(whole), 0), oddQuotes: false }
    for (let at = chunk.indexOf(0x22); at !== -1; at = chunk.indexOf(0x22, at + 1)) quotes++
    offset += whole.length
    carry = Buffer.from(bytes.subarray(bytes.length - keep))
    if (!found && patterns.length > 0) {
      const window: Buffer = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk
      for (const pattern of patterns) if (window.indexOf(pattern) !== -1) found = true
      tail = Buffer.from(window.subarray(Math.max(window.length - overlap, 0)))
    }
  }
  if (carry.length > 0) return { found, invalidUtf8At: offset, oddQuotes: false }
  return { found, oddQuotes: quotes % 2 === 1 }
}
