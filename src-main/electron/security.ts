/**
 * The window's security settings and the checks every navigation, popup, permission request and IPC
 * call goes through. Pure functions (no electron import) so they are unit-tested without Electron.
 */
import type { BrowserWindowConstructorOptions } from 'electron'

export function secureWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    show: false,
    backgroundColor: '#1b1d21',
    title: 'Migr8',
    minWidth: 880,
    minHeight: 560,
    autoHideMenuBar: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: true,
    },
  }
}

/** Links leave the app only as http(s) URLs without embedded credentials, opened by the OS browser. */
export function isSafeExternalUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2000) return false
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !!url.hostname
}

/** Whether a URL is the app's own page: the same file (file://) or the same origin (dev server). */
export function isAppUrl(value: string, appUrl: string): boolean {
  let url: URL
  let app: URL
  try {
    url = new URL(value)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (app.protocol === 'file:') return url.protocol === 'file:' && url.pathname === app.pathname
  return url.origin === app.origin
}

export interface FrameLike {
  url: string
  parent: FrameLike | null
}

/** An IPC call is trusted only from the top frame of our window showing our page. */
export function isTrustedSenderFrame(frame: FrameLike | null | undefined, appUrl: string): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url, appUrl)
}

/** Every permission (camera, notifications, clipboard-read, …) is denied: the app needs none. */
export function permissionDecision(_permission: string): boolean {
  return false
}
