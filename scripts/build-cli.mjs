// Bundles the CLI into one CommonJS file (migr8.cjs) so `npx migr8` starts fast and needs no
// TypeScript loader; migr8.js (src-main/cli/launcher.ts) runs it from V8's code cache. One file, not
// ES module chunks: Node 20 has no code cache for ES modules, and resolving and linking a dozen
// chunks cost every command more than the whole compile (measured in docs/performance.md).
// Drivers stay external (native addon, large) and are required lazily by the adapters. The small
// pure-JS packages every command needs (commander, zod, yaml) are bundled in: Node resolves and
// loads one file instead of zod's and yaml's hundreds of modules.
import { build } from 'esbuild'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

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

const packageJson = JSON.parse(readFileSync('package.json', 'utf8'))
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  external: Object.keys(packageJson.dependencies).filter((name) => !BUNDLED.has(name)),
  logLevel: 'warning',
  define: { MIGR8_VERSION: JSON.stringify(packageJson.version) },
}

// Chunks of the former ES module build and a code cache of an older bundle must not linger.
rmSync(outdir, { recursive: true, force: true })

await Promise.all([
  build({
    ...common,
    plugins: [lazyChildProcess],
    entryPoints: { migr8: 'src-main/cli/main.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // The sources are ES modules: their `import.meta.url` is the bundle's own URL here.
    define: { ...common.define, 'import.meta.url': '__migr8BundleUrl' },
    banner: { js: "const __migr8BundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    // seed-parser: the CSV parsing worker thread (src-main/seed/csv-batches.ts looks for it beside the bundle).
    entryPoints: { migr8: 'src-main/cli/launcher.ts', 'seed-parser': 'src-main/seed/parse-worker.ts' },
    outdir,
    format: 'esm',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  }),
])

// esbuild writes code as ASCII (non-ASCII characters in strings are escaped) but keeps some comments
// as they are: those characters become '?', so the launcher can decode the bundle as latin1.
const cjs = join(outdir, 'migr8.cjs')
writeFileSync(cjs, readFileSync(cjs, 'utf8').replace(/[^\0-\x7f]/g, '?'))
