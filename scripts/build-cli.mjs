// Bundles the CLI into one CommonJS file (migr8.cjs) so `npx migr8` starts fast and needs no
// TypeScript loader; migr8.js (src-main/cli/launcher.ts) runs it from V8's code cache. One file, not
// ES module chunks: Node 20 has no code cache for ES modules, and resolving and linking a dozen
// chunks cost every command more than the whole compile (measured in docs/performance.md).
// Drivers stay external (native addon, large) and are required lazily by the adapters. The small
// pure-JS packages every command needs (commander, zod, yaml) are bundled in: Node resolves and
// loads one file instead of zod's and yaml's hundreds of modules.
import { build } from 'esbuild'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

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
  // Written below, each file whole: a CLI process started during a rebuild never reads half a bundle.
  write: false,
  define: { MIGR8_VERSION: JSON.stringify(packageJson.version) },
}

const results = await Promise.all([
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

mkdirSync(outdir, { recursive: true })
const written = new Set()
for (const output of results.flatMap((result) => result.outputFiles)) {
  // esbuild writes code as ASCII (non-ASCII characters in strings are escaped) but keeps some comments
  // as they are: those characters become '?' in the bundle, so the launcher can decode it as latin1.
  const contents = output.path.endsWith('.cjs') ? output.text.replace(/[^\0-\x7f]/g, '?') : output.contents
  const temporary = `${output.path}.${process.pid}.tmp`
  writeFileSync(temporary, contents)
  renameSync(temporary, output.path)
  written.add(output.path)
}

// Files of earlier builds (the chunks of the former ES module build) must not linger. The code cache
// stays: the launcher checks it against the bundle's hash.
for (const name of readdirSync(outdir)) {
  const file = resolve(outdir, name)
  if (!written.has(file) && !name.endsWith('.cache')) rmSync(file, { force: true })
}
