import { createReadStream } from 'node:fs'
import { cancelled } from '../../src-shared/errors.js'

/**
 * Whether any of `needles` occurs in the file's bytes (a fast native search, no parsing), used to
 * decide if a file can be sent to the database byte for byte. False positives only cost speed.
 */
export async function fileContainsAny(file: string, needles: string[], signal?: AbortSignal): Promise<boolean> {
  const patterns = needles.filter((needle) => needle.length > 0).map((needle) => Buffer.from(needle, 'utf8'))
  if (patterns.length === 0) return false
  const overlap = Math.max(...patterns.map((p) => p.length)) - 1
  let tail: Buffer = Buffer.alloc(0)
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw cancelled()
    const window: Buffer = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk
    // A line of its own at the very start counts too (the file then starts with the marker).
    for (const pattern of patterns) if (window.indexOf(pattern) !== -1) return true
    tail = window.subarray(Math.max(window.length - overlap, 0))
  }
  return false
}
