import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { Utf8Decoder } from '../../src-main/seed/csv.js'

/** The text a Utf8Decoder makes of these chunks, or its error. */
async function decode(chunks: Buffer[]): Promise<string> {
  let text = ''
  for await (const piece of Readable.from(chunks).pipe(new Utf8Decoder('test.csv'))) text += piece as string
  return text
}

const bytes = (text: string) => Buffer.from(text, 'utf8')

describe('Utf8Decoder', () => {
  it('passes ASCII chunks through and decodes the others, across split characters and tiny chunks', async () => {
    const euro = bytes('€') // 3 bytes
    const grin = bytes('😀') // 4 bytes
    const chunks = [
      bytes('id,name\n1,plain\n'),
      Buffer.concat([bytes('2,Zo'), bytes('ë'), bytes(' Ångström '), euro.subarray(0, 1)]),
      euro.subarray(1, 2),
      euro.subarray(2),
      bytes('\n3,'),
      grin.subarray(0, 2),
      Buffer.concat([grin.subarray(2), bytes(',x\n')]),
      bytes('4,ascii again\n'),
    ]
    expect(await decode(chunks)).toBe('id,name\n1,plain\n2,Zoë Ångström €\n3,😀,x\n4,ascii again\n')
  })

  it('strips a BOM and still refuses bytes that are not UTF-8, also when ASCII follows them', async () => {
    expect(await decode([Buffer.from([0xef, 0xbb, 0xbf]), bytes('a,b\n')])).toBe('a,b\n')
    await expect(decode([bytes('a,b\n'), Buffer.from([0x31, 0x2c, 0xff, 0x0a])])).rejects.toThrow(/not valid UTF-8/)
    // An unfinished character, then ASCII: the decoder must see both.
    await expect(decode([Buffer.concat([bytes('a,'), bytes('€').subarray(0, 2)]), bytes('b\n')])).rejects.toThrow(
      /not valid UTF-8/,
    )
    await expect(decode([bytes('a,'), bytes('€').subarray(0, 1), bytes('b,c\n')])).rejects.toThrow(/not valid UTF-8/)
  })
})
