// Bundles the CLI into one ESM file so `npx migr8` starts fast and needs no TypeScript loader.
// Drivers stay external (native addon, large) and are imported lazily by the adapters. The small
// pure-JS packages every command needs (commander, zod, yaml) are bundled in: Node resolves and
// loads one file instead of zod's and yaml's hundreds of modules (measured in docs/performance.md).
import { build } from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'

if (!existsSync('src-main/cli/main.ts')) process.exit(0)

const BUNDLED = new Set(['commander', 'zod', 'yaml'])
// `--outdir DIR` builds elsewhere (the benchmarks keep their own copy, so a rebuild of out/cli mid-run cannot skew them).
const outdirFlag = process.argv.indexOf('--outdir')
const outdir = outdirFlag > 0 ? process.argv[outdirFlag + 1] : 'out/cli'

await build({
  // seed-parser: the CSV parsing worker thread (src-main/seed/csv-batches.ts looks for it beside the chunks).
  entryPoints: { migr8: 'src-main/cli/main.ts', 'seed-parser': 'src-main/seed/parse-worker.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  sourcemap: 'linked',
  external: Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies).filter(
    (name) => !BUNDLED.has(name),
  ),
  logLevel: 'warning',
  define: { MIGR8_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
})
