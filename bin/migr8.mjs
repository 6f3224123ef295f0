#!/usr/bin/env node
// Thin launcher: the bundle is produced by `npm install` (prepare) and `npm run build:cli`.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bundle = fileURLToPath(new URL('../out/cli/migr8.js', import.meta.url))
if (!existsSync(bundle)) {
  process.stderr.write(
    'migr8: the CLI bundle is missing. Run `npm run build:cli` (or `npm install`) in the Migr8 folder.\n',
  )
  process.exit(1)
}
await import(bundle)
