import { createRequire } from 'node:module'
import type Pg from 'pg'

/**
 * Loads `pg` without Node 20 loading its fetch implementation on the side. When there is no
 * `navigator` global (Node < 21), pg checks whether it runs in a Cloudflare Worker by constructing a
 * fetch `Response`, and that first touch of the lazy `Response` global loads undici: ~22 ms of every
 * PostgreSQL command, for nothing. The global is hidden while pg loads, then put back as it was
 * (still lazy), so pg sees "not Cloudflare" as it would have.
 */
export function loadPg(): typeof Pg {
  const require = createRequire(import.meta.url)
  const response = Object.getOwnPropertyDescriptor(globalThis, 'Response')
  if ('navigator' in globalThis || !response?.configurable) return require('pg') as typeof Pg
  Object.defineProperty(globalThis, 'Response', { value: undefined, configurable: true, writable: true })
  try {
    return require('pg') as typeof Pg
  } finally {
    Object.defineProperty(globalThis, 'Response', response)
  }
}
