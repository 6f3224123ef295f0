// Bundles the CLI into one ESM file so `npx migr8` starts fast and needs no TypeScript loader.
// Drivers stay external (native addon, large) and are imported lazily by the adapters. The small
// pure-JS packages every command needs (commander, zod, yaml) are bundled in: Node resolves and
// loads one file instead of zod's and yaml's hundreds of modules (measured in docs/performance.md).
import { build } from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

if (!existsSync('src-main/cli/main.ts')) process.exit(0)

const BUNDLED = new Set(['commander', 'zod', 'yaml'])
// `--outdir DIR` builds elsewhere (the benchmarks keep their own copy, so a rebuild of out/cli mid-run cannot skew them).
const outdirFlag = process.argv.indexOf('--outdir')
const outdir = outdirFlag > 0 ? process.argv[outdirFlag + 1] : 'out/cli'

/**
 * The config schema gets its own copy of the zod/mini modules it uses. esbuild splits code shared
 * by several lazily imported commands by whole files, so sharing zod's core with the commands that
 * use zod's full API (and every locale) put ~680 KB in the chunk every command loads; the private
 * copy tree-shakes to ~75 KB. The copy has its own zod settings, which schema.ts sets.
 */
const PRIVATE_ZOD = 'config-zod'
const configZod = {
  name: PRIVATE_ZOD,
  setup(build) {
    build.onResolve({ filter: /^zod\// }, async (args) => {
      if (!args.importer.endsWith('src-main/config/schema.ts') || args.pluginData === PRIVATE_ZOD) return undefined
      const { path, errors } = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: PRIVATE_ZOD,
      })
      return errors.length ? { errors } : { path, namespace: PRIVATE_ZOD }
    })
    build.onResolve({ filter: /^\./, namespace: PRIVATE_ZOD }, (args) => ({
      path: resolve(args.resolveDir, args.path),
      namespace: PRIVATE_ZOD,
    }))
    build.onLoad({ filter: /.*/, namespace: PRIVATE_ZOD }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }))
  },
}

await build({
  plugins: [configZod],
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
