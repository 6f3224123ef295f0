import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { parseCsvHere, type ParsedBatch } from '../../src-main/seed/csv-batches.js'
import { readCsvHead } from '../../src-main/seed/csv.js'
import { tempDir } from './support.js'

it('keeps only the good rows of a batch, in order, when a bad row in the middle is skipped', async () => {
  const file = join(tempDir(), 'mixed.csv')
  writeFileSync(file, 'id,amount,name\n1,1.50,a\nx,2.00,bad\n3,,c\n4,7530.81,"d, e"\n')
  const head = await readCsvHead(file, 1)
  const targets = [
    { name: 'id', type: 'integer', nullable: false, hasDefault: false },
    { name: 'amount', type: 'numeric(12,2)', nullable: true, hasDefault: false },
    { name: 'name', type: 'text', nullable: true, hasDefault: false },
  ]
  const batches: ParsedBatch[] = []
  await parseCsvHere(
    {
      file,
      name: 'mixed.csv',
      format: head.format,
      targets,
      dialect: 'sqlite',
      nullValues: ['\\N'],
      convert: true,
      stopAtFirstBad: false,
    },
    (batch) => void batches.push(batch),
  )
  expect(batches.flatMap((batch) => batch.values)).toEqual([1, 1.5, 'a', 3, null, 'c', 4, 7530.81, 'd, e'])
  expect(batches.flatMap((batch) => Array.from(batch.lines))).toEqual([2, 4, 5])
  expect(batches.flatMap((batch) => batch.bad.map((bad) => [bad.line, bad.column]))).toEqual([[3, 'id']])
})
