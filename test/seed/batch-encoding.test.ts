import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { decodeValues, encodeValues, transferables } from '../../src-main/seed/batch-encoding.js'
import { fromPosted, toPosted, type ParsedBatch, type PostedBatch } from '../../src-main/seed/csv-batches.js'

const VALUES: unknown[] = [
  null,
  undefined,
  '',
  'plain',
  '',
  'é non-ASCII ü',
  '😀 surrogate pair 𝄞',
  '\ud800 lone surrogate',
  'ends in a high surrogate \ud83d',
  '\ude00 starts with a low one',
  'quote " comma , tab \t newline \n NUL \0',
  0,
  -0,
  1.5,
  -7530.81,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_VALUE,
  Infinity,
  -Infinity,
  NaN,
  true,
  false,
  12345678901234567890n,
  Buffer.from([0, 1, 255]),
  { nested: ['json'] },
  new Date('2024-03-01T10:00:00Z'),
  '',
  'last',
]

/** Posts a message through a real channel, as the worker does, and returns what arrives. */
function throughChannel<T>(message: T, transfer: ArrayBuffer[]): T {
  const { port1, port2 } = new MessageChannel()
  try {
    port1.postMessage(message, transfer)
    return receiveMessageOnPort(port2)!.message as T
  } finally {
    port1.close()
  }
}

describe('batch encoding between the parser worker and the loading thread', () => {
  it('round-trips every kind of value exactly, in order', () => {
    const decoded = decodeValues(encodeValues(VALUES))
    expect(decoded).toHaveLength(VALUES.length)
    VALUES.forEach((value, i) => {
      if (typeof value === 'object' && value !== null) expect(decoded[i]).toBe(value)
      else expect(Object.is(decoded[i], value), `value ${i}`).toBe(true)
    })
  })

  it('round-trips through a message port, moving the typed arrays instead of copying them', () => {
    const encoded = encodeValues(VALUES)
    const arrived = throughChannel(encoded, transferables(encoded))
    expect(encoded.kinds.byteLength).toBe(0) // moved: the sender's view is detached
    const decoded = decodeValues(arrived)
    VALUES.forEach((value, i) => {
      if (Buffer.isBuffer(value)) expect(Buffer.from(decoded[i] as Uint8Array)).toEqual(value)
      else if (typeof value === 'object' && value !== null) expect(decoded[i]).toEqual(value)
      else expect(Object.is(decoded[i], value), `value ${i}`).toBe(true)
    })
  })

  it('handles an empty batch and batches of only one kind', () => {
    for (const values of [[], [null, null], ['', ''], [1, 2, 3], ['a', 'bc', 'def']])
      expect(decodeValues(encodeValues(values))).toEqual(values)
  })

  it('posts a parsed batch with its line numbers and bad rows', () => {
    const parsed: ParsedBatch = {
      values: ['a', 1, null, 'b', 2, true],
      lines: [2, 3, 2 ** 40],
      bad: [{ line: 4, column: 'id', value: 'x', reason: 'not an integer' }],
      bytes: 1234,
    }
    const { batch, transfer } = toPosted(parsed)
    const received = fromPosted(throughChannel<PostedBatch>(batch, transfer))
    expect({ ...received, lines: Array.from(received.lines) }).toEqual(parsed)
  })
})
