import { useMemo, useState } from 'react'
import type { ProfileViewT } from '../../../src-shared/contract.js'
import { DriverTag, EnvDot, Kbd, modKey } from './ui.js'

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
      <div className="sidebar-list">
        {groups.length === 0 && <div className="empty-hint">{filter ? 'No profile matches.' : 'No profiles yet.'}</div>}
        {groups.map(([folder, items]) => (
          <section key={folder} className="group">
            <button
              className="group-header"
              aria-expanded={!collapsed.has(folder)}
              onClick={() =>
                setCollapsed((current) => {
                  const next = new Set(current)
                  if (next.has(folder)) next.delete(folder)
                  else next.add(folder)
                  return next
                })
              }
            >
              <span className="chevron">{collapsed.has(folder) ? '▸' : '▾'}</span> {folder}
              <span className="count">{items.length}</span>
            </button>
            {!collapsed.has(folder) &&
              items.map((profile) => (
                <button
                  key={profile.id}
                  className={`profile-item${profile.id === props.selectedId ? ' selected' : ''} env-edge-${profile.environment}`}
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
              ))}
          </section>
        ))}
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
