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

/**
 * commander requires node:child_process at load time, for executable subcommands Migr8 does not
 * have; loading that core module cost every command ~5 ms. It is now required on first use.
 */
const EAGER_CHILD_PROCESS = "const childProcess = require('node:child_process');"
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      // A commander release that changes this line must be looked at again, not bundled unpatched.
      if (!source.includes(EAGER_CHILD_PROCESS)) throw new Error(`${args.path}: the line to patch has changed`)
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"
      return { contents: source.replace(EAGER_CHILD_PROCESS, lazy), loader: 'js' }
    })
  },
}

await build({
  plugins: [lazyChildProcess],
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
