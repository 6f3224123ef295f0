// The seed run tests again, with CSV parsing in the worker thread as the CLI and the app run it
// (from sources there is no worker bundle, so run.test.ts parses on the test's own thread).
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { csvParserWorker } from '../../src-main/seed/csv-batches.js'
import { REPO_ROOT, buildCli } from '../support/cli.js'

buildCli()
process.env.MIGR8_SEED_PARSER = join(REPO_ROOT, 'out/cli/seed-parser.js')

it('parses CSV seeds in the bundled worker thread', () => {
  expect(csvParserWorker()).toBe(join(REPO_ROOT, 'out/cli/seed-parser.js'))
})

it('parses on the calling thread when the worker cannot start', async () => {
  const { writeFileSync } = await import('node:fs')
  const { runSeeds } = await import('../../src-main/seed/index.js')
  const { openAdapter } = await import('../../src-main/db/index.js')
  const { createDatabase } = await import('../support/databases.js')
  const { createTables, seedConfig, seedFolder, tempDir } = await import('./support.js')
  const broken = join(tempDir(), 'seed-parser.js')
  writeFileSync(broken, 'throw new Error("cannot load")\n')
  const saved = process.env.MIGR8_SEED_PARSER
  process.env.MIGR8_SEED_PARSER = broken
  const adapter = await openAdapter(await createDatabase('sqlite'))
  try {
    await createTables(adapter)
    const dir = seedFolder({ 'customers.csv': 'id,name\n1,a\n2,b\n' })
    const [report] = await runSeeds(adapter, seedConfig(adapter.connection, dir))
    expect([report.status, report.rowsInserted]).toEqual(['loaded', 2])
  } finally {
    process.env.MIGR8_SEED_PARSER = saved
    await adapter.close()
  }
})

await import('./run.test.js')
