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

await import('./run.test.js')
