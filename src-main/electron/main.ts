/**
 * The Electron main process: one hardened window, the IPC transport to the shared handlers, and
 * nothing else. Every engine call goes through src-main/api exactly as in browser mode.
 */
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  app,
  BrowserWindow,
  Menu,
  safeStorage,
  screen,
  session,
  shell,
  utilityProcess,
  type WebContents,
} from 'electron'
import { MasterPasswordSecretStore } from '../profiles/master.js'
import { dataDir } from '../profiles/paths.js'
import type { SecretStore } from '../profiles/secrets.js'
import { registerIpcTransport } from '../transport/ipc.js'
import { contentSecurityPolicy } from '../transport/csp.js'
import { EngineHost, nodeFork } from './engine-host.js'
import { menuTemplate } from './menu.js'
import { SafeStorageSecretStore } from './secrets.js'
import {
  isAppUrl,
  isSafeExternalUrl,
  isTrustedSenderFrame,
  permissionDecision,
  secureWindowOptions,
} from './security.js'
import { loadWindowState, trackWindowState } from './window-state.js'

const here = dirname(fileURLToPath(import.meta.url))
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const appUrl = devServerUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href
const preload = join(here, '../preload/index.cjs')

/** The one way out of the app: http(s) links, opened by the OS browser. */
export async function openExternal(url: string): Promise<boolean> {
  if (!isSafeExternalUrl(url)) return false
  await shell.openExternal(url)
  return true
}

let mainWindow: BrowserWindow | undefined

/** The OS keychain when there is a real one; otherwise a master password (locked until typed). */
async function chooseSecretStore(home: string): Promise<SecretStore> {
  const keychain = new SafeStorageSecretStore(home, safeStorage)
  const status = await keychain.status()
  return status.available
    ? keychain
    : new MasterPasswordSecretStore(home, 'no OS keychain was found (Electron safeStorage would use a hard-coded key)')
}

function hardenSession(): void {
  const defaultSession = session.defaultSession
  defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permissionDecision(permission)),
  )
  defaultSession.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission))
  defaultSession.setDevicePermissionHandler(() => false)
  // The page's <meta> CSP covers file://; the header covers the dev server (Vite needs inline styles there).
  if (devServerUrl) {
    const devPolicy = contentSecurityPolicy({
      websocketOrigins: [new URL(devServerUrl).origin.replace(/^http/, 'ws')],
    }).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [devPolicy] } })
    })
  }
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    void openExternal(url)
    return { action: 'deny' }
  })
}

function createWindow(home: string): BrowserWindow {
  const state = loadWindowState(
    home,
    screen.getAllDisplays().map((display) => display.workArea),
  )
  const window = new BrowserWindow({
    ...secureWindowOptions(preload),
    ...(process.platform === 'linux'
      ? {
          icon: app.isPackaged
            ? join(process.resourcesPath, 'icon.png')
            : join(app.getAppPath(), 'resources', 'icon.png'),
        }
      : {}),
    width: state.bounds.width,
    height: state.bounds.height,
    ...(state.placed ? { x: state.bounds.x, y: state.bounds.y } : {}),
  })
  if (state.maximized) window.maximize()
  trackWindowState(window, home)
  window.once('ready-to-show', () => window.show())
  void (devServerUrl ? window.loadURL(devServerUrl) : window.loadFile(join(here, '../renderer/index.html')))
  return window
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  app.enableSandbox()
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('web-contents-created', (_event, contents) => hardenContents(contents))

  await app.whenReady()
  hardenSession()
  const home = dataDir()
  // Handlers and engines run in a utility process: the main process only routes and owns the keychain.
  const engines = new EngineHost({
    modulePath: join(here, 'api-host.js'),
    init: {
      dataDir: home,
      appRoot: app.isPackaged ? process.resourcesPath : app.getAppPath(),
      version: app.getVersion(),
    },
    secrets: await chooseSecretStore(home),
    openExternal,
    // Backup files and new migrations: only absolute paths, shown or opened by the OS shell.
    reveal: async (path) => {
      if (!isAbsolute(path)) return false
      shell.showItemInFolder(path)
      return true
    },
    openPath: async (path) => isAbsolute(path) && (await shell.openPath(path)) === '',
    // Packaged: an Electron utility process (native modules rebuilt for Electron). Development: plain
    // Node, whose ABI the installed better-sqlite3 matches; MIGR8_ENGINE_HOST=utility forces the former.
    fork:
      app.isPackaged || process.env.MIGR8_ENGINE_HOST === 'utility'
        ? (modulePath, args, options) => utilityProcess.fork(modulePath, args, options)
        : nodeFork(process.env.MIGR8_NODE || process.env.npm_node_execPath || 'node'),
  })
  engines.start()
  registerIpcTransport({
    dispatch: engines.dispatch,
    events: engines.events,
    isTrustedSender: (event) =>
      !!mainWindow && event.sender === mainWindow.webContents && isTrustedSenderFrame(event.senderFrame, appUrl),
    targets: () => (mainWindow ? [mainWindow.webContents] : []),
  })
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        isMac: process.platform === 'darwin',
        isDev: !app.isPackaged,
        openExternal: (url) => void openExternal(url),
      }),
    ),
  )

  mainWindow = createWindow(home)
  mainWindow.on('closed', () => (mainWindow = undefined))
  app.on('activate', () => {
    if (!mainWindow) {
      mainWindow = createWindow(home)
      mainWindow.on('closed', () => (mainWindow = undefined))
    }
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  let stopping = false
  app.on('before-quit', (event) => {
    if (stopping) return
    stopping = true
    event.preventDefault()
    void engines.shutdown().finally(() => app.quit())
  })
}

void main()
