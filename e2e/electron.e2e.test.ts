/**
 * The same profile spec under Electron (Playwright `_electron`), when the Electron binary exists.
 * This machine cannot download it, so the suite is skipped with the reason printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe } from 'vitest'
import { ensureBuilt, ROOT } from './support/app.js'
import { defineProfileSpec } from './support/profile-spec.js'

/**
 * Finds the Electron executable the way the electron package does, but without requiring it:
 * `require('electron')` starts a download when the binary is absent, which this must never do.
 */
function electronBinary(): { path?: string; reason?: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  const pathFile = join(packageDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const path = override
    ? join(override, relative || 'electron')
    : relative
      ? join(packageDir, 'dist', relative)
      : undefined
  if (path && existsSync(path)) return { path }
  return { reason: `the Electron binary is not installed (${path ?? join(packageDir, 'path.txt')} is missing)` }
}

const binary = electronBinary()
if (binary.reason)
  console.warn(
    `SKIPPED Electron e2e: ${binary.reason}. Run \`npx install-electron\` (or reinstall electron) where downloads are allowed.`,
  )

describe.skipIf(!binary.path)(`Electron mode${binary.reason ? ` (skipped: ${binary.reason})` : ''}`, () => {
  let app: ElectronApplication
  let page: Page
  const dataDir = mkdtempSync(join(tmpdir(), 'migr8-e2e-electron-home-'))

  beforeAll(async () => {
    ensureBuilt()
    app = await _electron.launch({
      executablePath: binary.path,
      args: [ROOT, ...(process.platform === 'linux' ? ['--no-sandbox', '--disable-gpu'] : [])],
      env: { ...process.env, MIGR8_HOME: dataDir, ELECTRON_RENDERER_URL: '' },
    })
    page = await app.firstWindow()
    await page.getByTestId('profile-item').first().waitFor()
  })

  afterAll(async () => {
    await app?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  defineProfileSpec({
    name: 'electron',
    page: () => page,
    reload: async () => {
      await page.reload()
      await page.getByTestId('profile-item').first().waitFor()
    },
    dataDir: () => dataDir,
  })
})
