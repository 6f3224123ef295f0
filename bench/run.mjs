// `npm run bench`: every benchmark under bench/ (each `bench/<name>/index.mjs`), one after the other,
// so they never compete with each other for the machine. `node bench/run.mjs migrate seed` runs some.
// A benchmark that fails is reported and the others still run; the exit code says whether any failed.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const wanted = process.argv.slice(2)
const benches = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
  .map((entry) => {
    const script = ['index.mjs', 'index.ts'].map((file) => join(here, entry.name, file)).find((p) => existsSync(p))
    return { name: entry.name, script }
  })
  .filter((bench) => bench.script && (wanted.length === 0 || wanted.includes(bench.name)))
  .sort((a, b) => a.name.localeCompare(b.name))

if (benches.length === 0) {
  process.stderr.write(`no benchmark found${wanted.length ? ` named ${wanted.join(', ')}` : ''} under ${here}\n`)
  process.exit(2)
}

const failed = []
for (const bench of benches) {
  process.stdout.write(`\n=== bench/${bench.name} ===\n`)
  // A .ts benchmark needs a TypeScript-aware node (22.6+ strips types); .mjs runs anywhere.
  const args = bench.script.endsWith('.ts') ? ['--experimental-strip-types', bench.script] : [bench.script]
  const started = Date.now()
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(here, '..') })
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  if (result.status !== 0) failed.push(bench.name)
  process.stdout.write(
    `=== bench/${bench.name}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status ?? result.signal})`} in ${seconds} s ===\n`,
  )
}
if (failed.length > 0) {
  process.stderr.write(`\nfailed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}
