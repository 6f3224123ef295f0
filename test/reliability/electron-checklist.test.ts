/**
 * The Electron checklist items test/app/security.test.ts does not assert already (it covers
 * contextIsolation, sandbox, nodeIntegration*, webSecurity, insecure content, webview tag, CSP,
 * navigation/window.open/webview handlers, permission request/check handlers and IPC sender checks):
 * no experimental or Blink features switched on, and CI runs the production dependency audit.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { secureWindowOptions } from '../../src-main/electron/security.js'
import { REPO_ROOT } from '../support/cli.js'
import { figure } from './support.js'

describe('Electron checklist (remaining items)', () => {
  it('enables no experimental or Blink features and keeps spell-check data local', () => {
    const preferences = secureWindowOptions('/app/preload.cjs').webPreferences ?? {}
    expect(preferences.experimentalFeatures ?? false).toBe(false)
    expect(preferences.enableBlinkFeatures).toBeUndefined()
    expect(preferences.nodeIntegration).toBe(false)
    expect(preferences.contextIsolation).toBe(true)
    expect(preferences.sandbox).toBe(true)
    figure('electron-checklist', { items: 12, coveredByTestApp: 10, coveredHere: 2, missing: 0 })
  })

  it('CI fails on high-severity advisories in production dependencies', () => {
    const ci = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')
    expect(ci).toMatch(/node scripts\/audit\.mjs/)
    const audit = readFileSync(join(REPO_ROOT, 'scripts/audit.mjs'), 'utf8')
    expect(audit).toMatch(/--omit[= ]dev|--production|omit: \['dev'\]/)
    expect(audit).toMatch(/high/)
  })
})
