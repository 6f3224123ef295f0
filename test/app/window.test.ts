import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { menuTemplate } from '../../src-main/electron/menu.js'
import { loadWindowState } from '../../src-main/electron/window-state.js'
import { tempDir } from './support.js'

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }]

describe('window state', () => {
  it('uses the default size on first start', () => {
    expect(loadWindowState(tempDir(), screen)).toMatchObject({
      bounds: { width: 1280, height: 800 },
      maximized: false,
      placed: false,
    })
  })

  it('restores the last bounds when they are on a connected display', () => {
    const dir = tempDir()
    writeFileSync(
      join(dir, 'window-state.json'),
      JSON.stringify({ bounds: { x: 100, y: 80, width: 1400, height: 900 }, maximized: true }),
    )
    expect(loadWindowState(dir, screen)).toEqual({
      bounds: { x: 100, y: 80, width: 1400, height: 900 },
      maximized: true,
      placed: true,
    })
  })

  it('does not place the window on a display that is gone, and survives a damaged file', () => {
    const dir = tempDir()
    writeFileSync(
      join(dir, 'window-state.json'),
      JSON.stringify({ bounds: { x: 4000, y: 100, width: 1000, height: 700 }, maximized: false }),
    )
    expect(loadWindowState(dir, screen)).toMatchObject({ bounds: { width: 1000, height: 700 }, placed: false })
    writeFileSync(join(dir, 'window-state.json'), '{oops')
    expect(loadWindowState(dir, screen)).toMatchObject({ placed: false, bounds: { width: 1280 } })
  })
})

describe('application menu', () => {
  it('has the usual roles, devtools only in development, and an app menu on macOS', () => {
    const roles = (template: ReturnType<typeof menuTemplate>) =>
      JSON.stringify(template, (key, value) => (key === 'click' ? undefined : value))
    const linux = roles(menuTemplate({ isMac: false, isDev: false, openExternal: () => undefined }))
    for (const role of ['quit', 'editMenu', 'reload', 'togglefullscreen', 'windowMenu', 'help'])
      expect(linux).toContain(`"${role}"`)
    expect(linux).not.toContain('toggleDevTools')
    expect(linux).not.toContain('appMenu')
    const mac = roles(menuTemplate({ isMac: true, isDev: true, openExternal: () => undefined }))
    expect(mac).toContain('"appMenu"')
    expect(mac).toContain('"toggleDevTools"')
  })
})
