// Bundles the CLI into one ESM file so `npx migr8` starts fast and needs no TypeScript loader.
// Drivers stay external (native addon, large) and are imported lazily by the adapters.
import { build } from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'

if (!existsSync('src-main/cli/main.ts')) process.exit(0)

await build({
  entryPoints: { migr8: 'src-main/cli/main.ts' },
  outdir: 'out/cli',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: true,
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
  define: { MIGR8_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
})
