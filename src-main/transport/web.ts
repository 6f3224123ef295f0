/**
 * Browser mode: the built renderer and the same handlers as the Electron window, served on
 * 127.0.0.1 only. Calls are `POST /api/call` with the per-run token as a bearer token; job events
 * arrive on the WebSocket `/api/events?token=…`. Every request's Host must be 127.0.0.1:PORT or
 * localhost:PORT and any Origin must be this server (no DNS rebinding, no cross-site calls).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { CallResult, JobEventT } from '../../src-shared/contract.js'
import type { ErrorPayload } from '../../src-shared/errors.js'
import { contentSecurityPolicy } from './csp.js'

export interface EventSource {
  subscribe(listener: (event: JobEventT) => void): () => void
}

export interface WebServerOptions {
  dispatch: (channel: unknown, input: unknown) => Promise<CallResult>
  events: EventSource
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** 0 (default) picks a free port. */
  port?: number
  token?: string
  maxBodyBytes?: number
}

export interface WebServer {
  port: number
  token: string
  /** The address to open, token in the fragment (never sent to the server or to a Referer). */
  url: string
  close(): Promise<void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function transportError(code: ErrorPayload['code'], message: string, remedy: string): CallResult {
  return { ok: false, error: { code, message, remedy } }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(32).toString('base64url')
  const maxBody = options.maxBodyBytes ?? 1024 * 1024
  const root = realpathSync(resolve(options.rendererDir))
  let port = 0

  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`]
  const allowedOrigins = () => allowedHosts().map((host) => `http://${host}`)
  const hostAllowed = (request: IncomingMessage) => allowedHosts().includes((request.headers.host ?? '').toLowerCase())
  const originAllowed = (request: IncomingMessage) =>
    request.headers.origin === undefined || allowedOrigins().includes(request.headers.origin.toLowerCase())

  const securityHeaders = (response: ServerResponse) => {
    response.setHeader(
      'Content-Security-Policy',
      contentSecurityPolicy({ websocketOrigins: allowedHosts().map((host) => `ws://${host}`) }),
    )
    response.setHeader('X-Content-Type-Options', 'nosniff')
    response.setHeader('X-Frame-Options', 'DENY')
    response.setHeader('Referrer-Policy', 'no-referrer')
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
    response.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()')
  }

  const sendJson = (response: ServerResponse, status: number, body: unknown) => {
    const data = JSON.stringify(body)
    response.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(data),
    })
    response.end(data)
  }

  const sendText = (response: ServerResponse, status: number, text: string) => {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
    response.end(text)
  }

  const readBody = (request: IncomingMessage) =>
    new Promise<string>((resolveBody, reject) => {
      const declared = Number(request.headers['content-length'] ?? 0)
      if (declared > maxBody) return reject(new RangeError('too large'))
      const chunks: Buffer[] = []
      let size = 0
      request.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBody) {
          // Stop keeping the body; the 413 goes out with Connection: close, which ends the socket.
          request.removeAllListeners('data')
          request.resume()
          reject(new RangeError('too large'))
          return
        }
        chunks.push(chunk)
      })
      request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')))
      request.on('error', reject)
    })

  const handleCall = async (request: IncomingMessage, response: ServerResponse) => {
    const authorization = request.headers.authorization ?? ''
    const given = authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined
    if (!sameSecret(given, token)) {
      return sendJson(
        response,
        401,
        transportError(
          'IPC_INVALID',
          'Missing or wrong access token.',
          'Open the address printed by `migr8 web` (it carries the token).',
        ),
      )
    }
    if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return sendJson(
        response,
        415,
        transportError('IPC_INVALID', 'Calls must be sent as application/json.', 'Use the Migr8 web client.'),
      )
    }
    let body: string
    try {
      body = await readBody(request)
    } catch {
      response.setHeader('Connection', 'close')
      return sendJson(
        response,
        413,
        transportError('IPC_INVALID', `The request is larger than ${maxBody} bytes.`, 'Send a smaller request.'),
      )
    }
    let message: unknown
    try {
      message = JSON.parse(body)
    } catch {
      return sendJson(
        response,
        400,
        transportError('IPC_INVALID', 'The request body is not valid JSON.', 'Use the Migr8 web client.'),
      )
    }
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      return sendJson(
        response,
        400,
        transportError('IPC_INVALID', 'The request must be an object { channel, input }.', 'Use the Migr8 web client.'),
      )
    }
    const { channel, input } = message as { channel?: unknown; input?: unknown }
    sendJson(response, 200, await options.dispatch(channel, input))
  }

  const serveStatic = (request: IncomingMessage, response: ServerResponse, pathname: string) => {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return sendText(response, 400, 'Bad path')
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return sendText(response, 400, 'Bad path')
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
    const candidate = resolve(root, relative)
    if (candidate !== root && !candidate.startsWith(root + sep)) return sendText(response, 404, 'Not found')
    if (!existsSync(candidate)) return sendText(response, 404, 'Not found')
    let file = realpathSync(candidate)
    if (!file.startsWith(root + sep)) return sendText(response, 404, 'Not found')
    let stats = statSync(file)
    if (stats.isDirectory()) {
      // No listings: a folder serves its index.html or nothing.
      file = join(file, 'index.html')
      if (!existsSync(file)) return sendText(response, 404, 'Not found')
      stats = statSync(file)
    }
    const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'
    response.writeHead(200, {
      'Content-Type': type,
      'Content-Length': stats.size,
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
    })
    if (request.method === 'HEAD') return response.end()
    createReadStream(file).pipe(response)
  }

  const server = createServer((request, response) => {
    securityHeaders(response)
    if (!hostAllowed(request))
      return sendText(response, 421, 'Unexpected Host header (Migr8 only answers on 127.0.0.1 and localhost).')
    if (!originAllowed(request)) return sendText(response, 403, 'Cross-origin requests are refused.')
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    if (pathname === '/api/call') {
      if (request.method !== 'POST') return sendText(response, 405, 'Use POST.')
      handleCall(request, response).catch(() =>
        sendJson(response, 500, transportError('INTERNAL', 'The call failed unexpectedly.', 'Try again.')),
      )
      return
    }
    if (pathname.startsWith('/api/')) return sendText(response, 404, 'Not found')
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Method not allowed')
    serveStatic(request, response, pathname)
  })

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  const unsubscribers = new Set<() => void>()
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== '/api/events') return refuse('404 Not Found')
    if (!hostAllowed(request)) return refuse('421 Misdirected Request')
    if (!originAllowed(request)) return refuse('403 Forbidden')
    if (!sameSecret(url.searchParams.get('token') ?? undefined, token)) return refuse('401 Unauthorized')
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const unsubscribe = options.events.subscribe((event) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event))
      })
      unsubscribers.add(unsubscribe)
      ws.on('close', () => {
        unsubscribe()
        unsubscribers.delete(unsubscribe)
      })
      // The client only listens; anything it sends is ignored.
      ws.on('message', () => undefined)
    })
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen())
  })
  port = (server.address() as AddressInfo).port

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    async close() {
      for (const unsubscribe of unsubscribers) unsubscribe()
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
    },
  }
}
