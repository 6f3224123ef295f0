import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  isAppUrl,
  isSafeExternalUrl,
  isTrustedSenderFrame,
  permissionDecision,
  secureWindowOptions,
} from '../../src-main/electron/security.js'
import { contentSecurityPolicy } from '../../src-main/transport/csp.js'

const ROOT = join(import.meta.dirname, '..', '..')
const APP_URL = pathToFileURL(join(ROOT, 'src-main', 'renderer', 'index.html')).href

describe('security helpers', () => {
  it('builds a sandboxed, isolated window without Node', () => {
    const options = secureWindowOptions('/app/out/preload/index.cjs')
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('lets only http(s) links out, without credentials', () => {
    for (const url of ['https://example.com', 'http://localhost:3000/x']) expect(isSafeExternalUrl(url), url).toBe(true)
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com',
      'data:text/html,x',
      'not a url',
      '',
      42,
      'ms-msdt:/id',
    ]) {
      expect(isSafeExternalUrl(url), String(url)).toBe(false)
    }
  })

  it('recognises the app page and only trusts its top frame', () => {
    expect(isAppUrl(`${APP_URL}#/p/1/overview`, APP_URL)).toBe(true)
    expect(isAppUrl('file:///tmp/evil.html', APP_URL)).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    const top = { url: APP_URL, parent: null }
    expect(isTrustedSenderFrame(top, APP_URL)).toBe(true)
    expect(isTrustedSenderFrame({ url: APP_URL, parent: top }, APP_URL)).toBe(false)
    expect(isTrustedSenderFrame({ url: 'https://evil.example', parent: null }, APP_URL)).toBe(false)
    expect(isTrustedSenderFrame(null, APP_URL)).toBe(false)
  })

  it('denies every permission', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'unknown'])
      expect(permissionDecision(permission)).toBe(false)
  })

  it('has a strict CSP in the page and on the web server', () => {
    const html = readFileSync(join(ROOT, 'src-renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(meta).toBeDefined()
    for (const policy of [meta!, contentSecurityPolicy({ websocketOrigins: ['ws://127.0.0.1:1'] })]) {
      expect(policy).toContain("default-src 'none'")
      expect(policy).toContain("script-src 'self'")
      expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
      expect(policy).toContain("object-src 'none'")
    }
  })
})

// ── The main process, with Electron replaced by a recording fake ─────────────────────────────────
const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown
  const appListeners = new Map<string, Listener>()
  const ipcHandlers = new Map<string, Listener>()
  const windows: Array<{
    options: Record<string, unknown>
    webContents: Record<string, unknown>
    loaded?: string
    focused: number
  }> = []
  const calls: string[] = []
  const session = {
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
  }
  const openExternal = vi.fn(async () => undefined)
  /** Set in beforeAll: the engine host started in-process over a worker_threads MessageChannel. */
  const host: {
    start?: (channel: { post(m: unknown): void; onMessage(l: (m: unknown) => void): () => void }) => void
    ports: Array<{ close(): void }>
  } = { ports: [] }
  class BrowserWindow {
    webContents: Record<string, unknown>
    record: (typeof windows)[number]
    constructor(options: Record<string, unknown>) {
      const listeners = new Map<string, Listener>()
      this.webContents = {
        mainFrame: {},
        isDestroyed: () => false,
        send: vi.fn(),
        on: (name: string, fn: Listener) => listeners.set(name, fn),
      }
      this.record = { options, webContents: this.webContents, focused: 0 }
      windows.push(this.record)
    }
    once() {}
    on() {}
    maximize() {}
    isMinimized() {
      return false
    }
    restore() {}
    focus() {
      this.record.focused++
    }
    isDestroyed() {
      return false
    }
    async loadFile(file: string) {
      this.record.loaded = file
    }
    async loadURL(url: string) {
      this.record.loaded = url
    }
  }
  return {
    host,
    appListeners,
    ipcHandlers,
    windows,
    calls,
    session,
    openExternal,
    module: {
      app: {
        isPackaged: false,
        requestSingleInstanceLock: () => (calls.push('requestSingleInstanceLock'), true),
        enableSandbox: () => calls.push('enableSandbox'),
        on: (name: string, fn: Listener) => appListeners.set(name, fn),
        whenReady: async () => undefined,
        getAppPath: () => '/app',
        getVersion: () => '9.9.9',
        quit: () => calls.push('quit'),
      },
      BrowserWindow,
      Menu: {
        buildFromTemplate: (template: unknown) => template,
        setApplicationMenu: () => calls.push('setApplicationMenu'),
      },
      safeStorage: {
        getSelectedStorageBackend: () => 'basic_text',
        isAsyncEncryptionAvailable: async () => true,
        encryptStringAsync: async () => Buffer.from(''),
        decryptStringAsync: async () => ({ result: '', shouldReEncrypt: false }),
      },
      screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (fn: Listener) => (session.permissionRequest = fn),
          setPermissionCheckHandler: (fn: Listener) => (session.permissionCheck = fn),
          setDevicePermissionHandler: () => undefined,
          webRequest: { onHeadersReceived: () => undefined },
        },
      },
      shell: { openExternal },
      utilityProcess: {
        fork: (modulePath: string) => {
          calls.push(`fork:${modulePath.split(/[\\/]/).pop()}`)
          const { port1, port2 } = new MessageChannel()
          host.ports.push(port1, port2)
          host.start!({
            post: (message) => port2.postMessage(message),
            onMessage: (listener) => {
              port2.on('message', listener)
              return () => port2.off('message', listener)
            },
          })
          const child = new EventEmitter()
          port1.on('message', (message) => child.emit('message', message))
          return Object.assign(child, {
            postMessage: (message: unknown) => port1.postMessage(message),
            kill: () => port1.close(),
          })
        },
      },
      ipcMain: {
        handle: (channel: string, fn: Listener) => ipcHandlers.set(channel, fn),
        removeHandler: (channel: string) => ipcHandlers.delete(channel),
      },
    },
  }
})
vi.mock('electron', () => fake.module)

describe('Electron main process wiring', () => {
  const previous = { home: process.env.MIGR8_HOME, renderer: process.env.ELECTRON_RENDERER_URL }
  beforeAll(async () => {
    process.env.MIGR8_HOME = mkdtempSync(join(tmpdir(), 'migr8-electron-home-'))
    delete process.env.ELECTRON_RENDERER_URL
    // Out of a packaged app the engine host would run under plain Node; test the utility-process path.
    process.env.MIGR8_ENGINE_HOST = 'utility'
    fake.host.start = (await import('../../src-main/electron/api-host.js')).startApiHost
    await import('../../src-main/electron/main.js')
    await vi.waitFor(() => expect(fake.ipcHandlers.has('migr8:call')).toBe(true), { timeout: 5_000 })
  })
  afterAll(() => {
    for (const port of fake.host.ports) port.close()
    rmSync(process.env.MIGR8_HOME!, { recursive: true, force: true })
    delete process.env.MIGR8_ENGINE_HOST
    if (previous.home === undefined) delete process.env.MIGR8_HOME
    else process.env.MIGR8_HOME = previous.home
    if (previous.renderer) process.env.ELECTRON_RENDERER_URL = previous.renderer
  })

  it('takes the single-instance lock, enables the sandbox and sets the menu', () => {
    expect(fake.calls).toEqual(
      expect.arrayContaining(['requestSingleInstanceLock', 'enableSandbox', 'setApplicationMenu']),
    )
    expect(fake.calls.indexOf('enableSandbox')).toBeLessThan(fake.calls.indexOf('setApplicationMenu'))
  })

  it('opens one hardened window on the built page', () => {
    expect(fake.windows).toHaveLength(1)
    const { options, loaded } = fake.windows[0]
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    })
    expect(String((options.webPreferences as { preload: string }).preload)).toMatch(/preload[\\/]index\.cjs$/)
    expect(loaded).toMatch(/renderer[\\/]index\.html$/)
  })

  it('denies permission requests and checks', () => {
    const decisions: boolean[] = []
    fake.session.permissionRequest?.({}, 'media', (allowed: boolean) => decisions.push(allowed))
    fake.session.permissionRequest?.({}, 'notifications', (allowed: boolean) => decisions.push(allowed))
    expect(decisions).toEqual([false, false])
    expect(fake.session.permissionCheck?.({}, 'clipboard-read')).toBe(false)
  })

  it('blocks navigation, webviews and window.open; links go out only through the validated wrapper', async () => {
    const listeners = new Map<string, (...args: unknown[]) => void>()
    let openHandler: ((details: { url: string }) => { action: string }) | undefined
    const contents = {
      on: (name: string, fn: (...args: unknown[]) => void) => listeners.set(name, fn),
      setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn),
    }
    fake.appListeners.get('web-contents-created')?.({}, contents)
    const navigate = (name: string, url: string) => {
      const event = {
        prevented: false,
        preventDefault() {
          this.prevented = true
        },
      }
      listeners.get(name)?.(event, url)
      return event.prevented
    }
    expect(navigate('will-navigate', 'https://evil.example')).toBe(true)
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(navigate('will-redirect', 'https://evil.example')).toBe(true)
    expect(navigate('will-navigate', `${APP_URL}#/p/1/overview`)).toBe(false)
    expect(navigate('will-attach-webview', 'https://x')).toBe(true)
    expect(openHandler?.({ url: 'https://docs.example.com' })).toEqual({ action: 'deny' })
    expect(openHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' })
    expect(openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(fake.openExternal.mock.calls).toEqual([['https://docs.example.com']])
  })

  it('answers IPC calls only from the top frame of its own window and page', async () => {
    const handler = fake.ipcHandlers.get('migr8:call')!
    const window = fake.windows[0]
    const trusted = { sender: window.webContents, senderFrame: { url: APP_URL, parent: null } }
    const ok = (await handler(trusted, 'profiles.list', undefined)) as { ok: boolean; value: Array<{ name: string }> }
    expect(ok.ok).toBe(true)
    expect(ok.value.map((profile) => profile.name)).toEqual(['Demo (SQLite)'])
    for (const event of [
      { sender: window.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: window.webContents, senderFrame: { url: APP_URL, parent: { url: APP_URL, parent: null } } },
      { sender: window.webContents, senderFrame: null },
      { sender: {}, senderFrame: { url: APP_URL, parent: null } },
    ]) {
      expect(await handler(event, 'profiles.list', undefined)).toMatchObject({
        ok: false,
        error: { code: 'IPC_INVALID' },
      })
    }
    expect(await handler(trusted, 'profiles.nuke', {})).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } })
  })

  it('fails closed on the Linux basic_text safeStorage backend, offering a master password', async () => {
    const handler = fake.ipcHandlers.get('migr8:call')!
    const trusted = { sender: fake.windows[0].webContents, senderFrame: { url: APP_URL, parent: null } }
    if (process.platform === 'linux') {
      expect(await handler(trusted, 'app.info', undefined)).toMatchObject({
        ok: true,
        value: { mode: 'electron', secrets: { kind: 'master', available: false, locked: true, configured: false } },
      })
      const save = await handler(trusted, 'profiles.save', {
        name: 'x',
        driver: 'postgres',
        database: 'd',
        password: 'pw',
        passwordMode: 'stored',
      })
      expect(save).toMatchObject({ ok: false, error: { code: 'SECRET_STORE_UNAVAILABLE' } })
    }
  })

  it('focuses the existing window when a second instance starts', () => {
    fake.appListeners.get('second-instance')?.()
    expect(fake.windows[0].focused).toBe(1)
  })
})
