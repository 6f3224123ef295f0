import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'migr8-pg-driver-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** loadPg in a fresh Node process: module caches and lazy globals untouched by the test runner. */
function runFresh(): Record<string, unknown> {
  const entry = join(dir, 'entry.ts')
  writeFileSync(
    entry,
    `import { loadPg } from ${JSON.stringify(join(REPO, 'src-main/db/pg-driver.ts'))}
    const pg = loadPg()
    const undiciAfterPg = process.moduleLoadList.some((name) => name.includes('undici'))
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Response')
    const stillLazy = typeof descriptor?.get === 'function'
    const works = (await new Response('ok').text()) === 'ok'
    console.log(JSON.stringify({ pool: typeof pg.Pool, undiciAfterPg, stillLazy, works }))`,
  )
  const out = join(dir, 'entry.mjs')
  // pg stays a package of the repository, as in the CLI bundle.
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  })
  const result = spawnSync(process.execPath, [out], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
  })
  expect(result.stderr).toBe('')
  return JSON.parse(result.stdout)
}

describe('loadPg', () => {
  it('loads pg without loading fetch (undici), and leaves the lazy Response global working', () => {
    expect(runFresh()).toEqual({ pool: 'function', undiciAfterPg: false, stillLazy: true, works: true })
  })
})
