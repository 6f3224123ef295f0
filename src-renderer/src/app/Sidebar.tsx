import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { ProfileViewT } from '../../../src-shared/contract.js'
import { DriverTag, EnvDot, Kbd, modKey } from './ui.js'

type Row =
  { kind: 'group'; folder: string; count: number; collapsed: boolean } | { kind: 'profile'; profile: ProfileViewT }

export function groupProfiles(profiles: ProfileViewT[], filter = ''): Array<[string, ProfileViewT[]]> {
  const needle = filter.trim().toLowerCase()
  const groups = new Map<string, ProfileViewT[]>()
  for (const profile of profiles) {
    const haystack =
      `${profile.name} ${profile.folder ?? ''} ${profile.database ?? ''} ${profile.host ?? ''} ${profile.environment} ${profile.driver}`.toLowerCase()
    if (needle && !haystack.includes(needle)) continue
    const folder = profile.folder || 'Ungrouped'
    groups.set(folder, [...(groups.get(folder) ?? []), profile])
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === 'Ungrouped' ? 1 : b === 'Ungrouped' ? -1 : a.localeCompare(b)))
    .map(([folder, items]) => [folder, items.sort((x, y) => x.name.localeCompare(y.name))])
}

export function Sidebar(props: {
  profiles: ProfileViewT[]
  selectedId?: string
  onSelect: (id: string) => void
  onNew: () => void
  onMenu: (action: 'import-yaml' | 'import' | 'export' | 'test-all') => void
}) {
  const [filter, setFilter] = useState('')
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set())
  const groups = useMemo(() => groupProfiles(props.profiles, filter), [props.profiles, filter])
  const rows = useMemo<Row[]>(
    () =>
      groups.flatMap(([folder, items]) => [
        { kind: 'group' as const, folder, count: items.length, collapsed: collapsed.has(folder) },
        ...(collapsed.has(folder) ? [] : items.map((profile) => ({ kind: 'profile' as const, profile }))),
      ]),
    [groups, collapsed],
  )
  const listRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => 30,
    overscan: 12,
  })
  // Keep the selected profile visible when J/K or the palette move the selection.
  useEffect(() => {
    const index = rows.findIndex((row) => row.kind === 'profile' && row.profile.id === props.selectedId)
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' })
  }, [props.selectedId, rows, virtualizer])
  const [menuOpen, setMenuOpen] = useState(false)

  return (
    <nav className="sidebar" aria-label="Connection profiles">
      <div className="sidebar-top">
        <div className="brand">
          <span className="brand-mark">M8</span> Migr8
        </div>
        <div className="sidebar-actions">
          <button
            className="icon-button"
            title="New profile (N)"
            aria-label="New profile"
            onClick={props.onNew}
            data-testid="new-profile"
          >
            +
          </button>
          <div className="menu-anchor">
            <button
              className="icon-button"
              title="More"
              aria-label="More actions"
              aria-expanded={menuOpen}
              onClick={() => setMenuOpen((open) => !open)}
            >
              ⋯
            </button>
            {menuOpen && (
              <div className="menu" role="menu" onMouseLeave={() => setMenuOpen(false)}>
                {(
                  [
                    ['import-yaml', 'Import from migr8.yaml…'],
                    ['import', 'Import profiles…'],
                    ['export', 'Export profiles (no passwords)'],
                    ['test-all', 'Test all connections'],
                  ] as const
                ).map(([action, label]) => (
                  <button
                    key={action}
                    role="menuitem"
                    onClick={() => {
                      setMenuOpen(false)
                      props.onMenu(action)
                    }}
                  >
                    {label}
                  </button>
                ))}
              </div>
            )}
          </div>
        </div>
      </div>
      <div className="sidebar-search">
        <input
          type="search"
          placeholder="Filter profiles"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter profiles"
        />
      </div>
      <div className="sidebar-list" ref={listRef}>
        {groups.length === 0 && <div className="empty-hint">{filter ? 'No profile matches.' : 'No profiles yet.'}</div>}
        {/* Virtualised: hundreds of profiles stay as fast as ten. */}
        <div className="virtual-space" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]
            const style = { transform: `translateY(${item.start}px)`, height: item.size }
            if (row.kind === 'group') {
              return (
                <button
                  key={`g:${row.folder}`}
                  className="group-header virtual-row"
                  style={style}
                  aria-expanded={!row.collapsed}
                  onClick={() =>
                    setCollapsed((current) => {
                      const next = new Set(current)
                      if (next.has(row.folder)) next.delete(row.folder)
                      else next.add(row.folder)
                      return next
                    })
                  }
                >
                  <span className="chevron">{row.collapsed ? '▸' : '▾'}</span> {row.folder}
                  <span className="count">{row.count}</span>
                </button>
              )
            }
            const { profile } = row
            return (
              <button
                key={profile.id}
                style={style}
                className={`profile-item virtual-row${profile.id === props.selectedId ? ' selected' : ''} env-edge-${profile.environment}`}
                onClick={() => props.onSelect(profile.id)}
                aria-current={profile.id === props.selectedId ? 'page' : undefined}
                data-testid="profile-item"
                data-profile-name={profile.name}
              >
                <EnvDot environment={profile.environment} />
                <span className="profile-name">{profile.name}</span>
                {profile.readOnly && (
                  <span className="ro-tag" title="Read-only">
                    RO
                  </span>
                )}
                <DriverTag driver={profile.driver} />
              </button>
            )
          })}
        </div>
      </div>
      <div className="sidebar-footer">
        <span>
          <Kbd>{modKey}</Kbd>
          <Kbd>K</Kbd> commands
        </span>
        <span>
          <Kbd>?</Kbd> shortcuts
        </span>
      </div>
    </nav>
  )
}
