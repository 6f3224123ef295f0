// `node bench/ui/index.mjs` (or `npm run bench ui`): the app's screens under load, measured in Chromium.
//
// 1. Migrations timeline with BENCH_UI_MIGRATIONS (default 10,000) migrations on SQLite, most applied:
//    time from opening the tab to the first rendered row, then frame times while scrolling it.
// 2. Seed preview of a generated CSV of BENCH_UI_CSV_MB (default 1024) MiB: time from selecting the file
//    to the first rendered preview row, then frame times while scrolling the preview grid.
// Frame times come from requestAnimationFrame timestamps in the page (Performance API); the page scrolls
// by a fixed step every frame. Headless Chromium without a GPU: read them as relative figures.
//
// The TypeScript harness (bench/ui/harness.ts) is bundled with esbuild into bench/.ui-build and run.
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
// Depth matters: the harness imports e2e/support/app.ts, which finds the repository two folders up.
const out = join(here, '..', '.ui-build')
mkdirSync(out, { recursive: true })
await build({
  entryPoints: [join(here, 'harness.ts')],
  outfile: join(out, 'harness.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
})
const result = spawnSync(process.execPath, [join(out, 'harness.mjs')], {
  stdio: 'inherit',
  cwd: join(here, '..', '..'),
})
process.exit(result.status ?? 1)
