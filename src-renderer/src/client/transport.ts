/**
 * Picks how the page talks to the handlers: the Electron preload bridge when present, else the web
 * server that served this page (token from the URL fragment, kept in sessionStorage, then removed
 * from the address bar so it is not bookmarked or shared by accident).
 */
import type { Bridge, CallResult, JobEventT } from '../../../src-shared/contract.js'

declare global {
  interface Window {
    migr8?: Bridge
  }
}

const TOKEN_KEY = 'migr8.token'

function takeToken(): string | undefined {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''))
  const fromHash = params.get('token')
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash)
    history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined
}

const serverDown = (message: string): CallResult => ({
  ok: false,
  error: { code: 'CONNECTION_LOST', message, remedy: 'Check that `migr8 web` is still running, then reload the page.' },
})

function webBridge(): Bridge {
  const token = takeToken()
  const listeners = new Set<(event: JobEventT) => void>()
  let socket: WebSocket | undefined
  let retry = 500

  const connect = () => {
    if (!token) return
    const url = new URL('/api/events', window.location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('token', token)
    url.hash = ''
    socket = new WebSocket(url)
    socket.onopen = () => (retry = 500)
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as JobEventT
      for (const listener of listeners) listener(event)
    }
    socket.onclose = () => {
      socket = undefined
      if (listeners.size > 0) setTimeout(connect, (retry = Math.min(retry * 2, 10_000)))
    }
  }

  return {
    async call(channel, input) {
      if (!token) {
        return {
          ok: false,
          error: {
            code: 'IPC_INVALID',
            message: 'This page was opened without its access token.',
            remedy: 'Open the full address printed by `migr8 web` (it ends with #token=…).',
          },
        }
      }
      let response: Response
      try {
        response = await fetch('/api/call', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ channel, input }),
        })
      } catch {
        return serverDown('The Migr8 server is not answering.')
      }
      try {
        return (await response.json()) as CallResult
      } catch {
        return serverDown(`The Migr8 server answered ${response.status} without a result.`)
      }
    },
    onJobEvent(listener) {
      listeners.add(listener)
      if (!socket) connect()
      return () => listeners.delete(listener)
    },
  }
}

export type TransportMode = 'electron' | 'web'

export function pickTransport(): { bridge: Bridge; mode: TransportMode } {
  if (window.migr8) return { bridge: window.migr8, mode: 'electron' }
  return { bridge: webBridge(), mode: 'web' }
}
