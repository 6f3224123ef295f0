/** A tiny hash router: #/ (home), #/p/<profileId>/<tab>. */
import { useSyncExternalStore } from 'react'

export const TABS = ['overview', 'migrations', 'backups', 'seeds'] as const
export type Tab = (typeof TABS)[number]

export interface Route {
  profileId?: string
  tab: Tab
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] !== 'p' || !parts[1]) return { tab: 'overview' }
  const tab = (TABS as readonly string[]).includes(parts[2]) ? (parts[2] as Tab) : 'overview'
  return { profileId: parts[1], tab }
}

export function routeHash(route: Route): string {
  return route.profileId ? `#/p/${encodeURIComponent(route.profileId)}/${route.tab}` : '#/'
}

export function navigate(route: Route): void {
  const hash = routeHash(route)
  if (window.location.hash !== hash) window.location.hash = hash
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange)
  return () => window.removeEventListener('hashchange', onChange)
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash)
  return parseRoute(hash)
}
