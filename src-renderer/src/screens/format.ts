/** Small formatters shared by the Migrations, Backups and Seeds screens. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** The database name a destructive action on the profile's own database is confirmed with. */
export function databaseNameOf(profile: { url?: string; driver: string; database?: string; name: string }): string {
  if (profile.url) {
    try {
      const name = decodeURIComponent(new URL(profile.url).pathname.replace(/^\//, ''))
      if (name) return name.split(/[\\/]/).pop() || name
    } catch {
      // fall through
    }
  }
  if (profile.database) return profile.database.split(/[\\/]/).pop() || profile.database
  return profile.name
}
