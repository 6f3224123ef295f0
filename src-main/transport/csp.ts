/**
 * The Content-Security-Policy of the app's page: only its own scripts and styles, no inline code,
 * no eval, no frames, no plugins, and network access only to itself (plus, in browser mode, the
 * event socket on the same loopback port).
 */
export function contentSecurityPolicy(options: { websocketOrigins?: string[] } = {}): string {
  const connect = ["'self'", ...(options.websocketOrigins ?? [])].join(' ')
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ')
}
