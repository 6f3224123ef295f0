/**
 * A batch of values in a few flat parts for the trip from the parser worker to the loading thread.
 * Structured clone of an array of ~20,000 small strings and numbers costs the loading thread (the
 * bottleneck of a SQLite load) several times more than one string, three typed arrays, and slices of
 * that string; the typed arrays' buffers are moved, not copied.
 */
export interface EncodedValues {
  /** One KIND per value. */
  kinds: Uint8Array
  /** The numbers, in order (the array may be longer). */
  numbers: Float64Array
  /** The strings, joined. */
  text: string
  /**
   * End offset in `text` of each string, in order (each starts where the previous one ends; the array
   * may be longer). 32 bits suffice: a V8 string holds under 2^30 characters.
   */
  ends: Uint32Array
  /** Values of any other type, in order: they cross by structured clone as before. */
  others: unknown[]
}

const NULL = 0
const NUMBER = 1
const STRING = 2
const TRUE = 3
const FALSE = 4
const UNDEFINED = 5
const OTHER = 6

export function encodeValues(values: readonly unknown[]): EncodedValues {
  const kinds = new Uint8Array(values.length)
  // Sized for the worst case and filled in one pass: counting first cost more than the spare bytes.
  const numbers = new Float64Array(values.length)
  const ends = new Uint32Array(values.length)
  const others: unknown[] = []
  // Appending builds a rope that postMessage flattens once (measured faster than collecting and joining).
  let text = ''
  let n = 0
  let s = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    switch (typeof value) {
      case 'string':
        kinds[i] = STRING
        text += value
        ends[s++] = text.length
        break
      case 'number':
        kinds[i] = NUMBER
        numbers[n++] = value
        break
      case 'boolean':
        kinds[i] = value ? TRUE : FALSE
        break
      case 'undefined':
        kinds[i] = UNDEFINED
        break
      default:
        if (value === null) kinds[i] = NULL
        else {
          kinds[i] = OTHER
          others.push(value)
        }
    }
  }
  return { kinds, numbers, text, ends, others }
}

export function decodeValues({ kinds, numbers, text, ends, others }: EncodedValues): unknown[] {
  const values = new Array<unknown>(kinds.length)
  let n = 0
  let s = 0
  let o = 0
  let start = 0
  for (let i = 0; i < kinds.length; i++) {
    switch (kinds[i]) {
      case NUMBER:
        values[i] = numbers[n++]
        break
      case STRING: {
        const end = ends[s++]
        values[i] = text.slice(start, end)
        start = end
        break
      }
      case TRUE:
        values[i] = true
        break
      case FALSE:
        values[i] = false
        break
      case UNDEFINED:
        values[i] = undefined
        break
      case OTHER:
        values[i] = others[o++]
        break
      default:
        values[i] = null
    }
  }
  return values
}

/** The buffers to move with the message (listed in postMessage's transfer list). */
export function transferables(encoded: EncodedValues): ArrayBuffer[] {
  // Typed as ArrayBufferLike, but arrays built with `new` always own a plain ArrayBuffer.
  return [encoded.kinds.buffer, encoded.numbers.buffer, encoded.ends.buffer] as ArrayBuffer[]
}
