import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { JobSummaryT, ProfileTestResultT, ProfileViewT } from '../../../src-shared/contract.js'
import { api, ApiError, onJobEvent, transportMode } from '../client/api.js'
import { TABS, navigate, useRoute } from '../client/router.js'
import { CommandPalette, type Command } from './CommandPalette.js'
import { ConfirmDialog, MasterPasswordDialog, PasswordPrompt, TextPrompt } from './Dialogs.js'
import { HelpSheet } from './HelpSheet.js'
import { JobTray } from './JobTray.js'
import { ProfileForm } from './ProfileForm.js'
import { ProfilePage } from './ProfilePage.js'
import { Sidebar, groupProfiles } from './Sidebar.js'
import { useToasts } from './Toasts.js'
import { isTyping, Kbd, modKey } from './ui.js'

type Modal =
  | { kind: 'form'; profile?: ProfileViewT }
  | { kind: 'palette' }
  | { kind: 'help' }
  | { kind: 'confirm-delete'; profile: ProfileViewT }
  | { kind: 'password'; profile: ProfileViewT }
  | { kind: 'import-yaml' }
  | { kind: 'master-password'; configured: boolean }

/** Keeps the jobs list in the query cache current from the event stream. */
function useJobEvents() {
  const queryClient = useQueryClient()
  const toasts = useToasts()
  useEffect(
    () =>
      onJobEvent((event) => {
        queryClient.setQueryData<JobSummaryT[]>(['jobs.list'], (jobs = []) => {
          if (event.type === 'started')
            return [
              {
                jobId: event.jobId,
                kind: event.kind,
                title: event.title,
                state: 'running',
                startedAt: new Date().toISOString(),
                log: [],
              },
              ...jobs,
            ]
          return jobs.map((job) => {
            if (job.jobId !== event.jobId) return job
            switch (event.type) {
              case 'progress':
                return { ...job, progress: event.progress }
              case 'log':
                return {
                  ...job,
                  log: [
                    ...job.log.slice(-50),
                    { level: event.level, message: event.message, at: new Date().toISOString() },
                  ],
                }
              case 'done':
                return { ...job, state: 'done', result: event.result, endedAt: new Date().toISOString() }
              case 'failed':
                return { ...job, state: 'failed', error: event.error, endedAt: new Date().toISOString() }
              case 'cancelled':
                return { ...job, state: 'cancelled', endedAt: new Date().toISOString() }
            }
          })
        })
        if (event.type === 'failed') toasts.error(new ApiError(event.error))
        if (event.type === 'done' || event.type === 'failed' || event.type === 'cancelled')
          void queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
      }),
    [queryClient, toasts],
  )
}

/** What a destructive action on a production profile asks to be typed: the database's own name. */
function databaseName(profile: ProfileViewT): string {
  if (profile.url) {
    try {
      const name = decodeURIComponent(new URL(profile.url).pathname.replace(/^\//, ''))
      if (name) return name
    } catch {
      // fall through to the profile name
    }
  }
  if (profile.driver === 'sqlite' && profile.database) return profile.database.split(/[\\/]/).pop() || profile.name
  return profile.database || profile.name
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = name
  anchor.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export function App() {
  const route = useRoute()
  const queryClient = useQueryClient()
  const toasts = useToasts()
  const [modal, setModal] = useState<Modal>()
  const [trayOpen, setTrayOpen] = useState(false)
  const fileInput = useRef<HTMLInputElement>(null)
  useJobEvents()

  const info = useQuery({ queryKey: ['app.info'], queryFn: () => api('app.info'), staleTime: Infinity })
  const profiles = useQuery({ queryKey: ['profiles.list'], queryFn: () => api('profiles.list') })
  const jobs = useQuery({ queryKey: ['jobs.list'], queryFn: () => api('jobs.list') })
  const list = useMemo(() => profiles.data ?? [], [profiles.data])
  const ordered = useMemo(() => groupProfiles(list).flatMap(([, items]) => items), [list])
  const selected = list.find((profile) => profile.id === route.profileId)

  useEffect(() => {
    if (profiles.error) toasts.error(profiles.error)
  }, [profiles.error, toasts])

  // Land on the first profile when none is selected (or the selected one was deleted).
  useEffect(() => {
    if (profiles.isSuccess && !selected && ordered.length > 0) navigate({ profileId: ordered[0].id, tab: 'overview' })
  }, [profiles.isSuccess, selected, ordered])

  const testMutation = useMutation({
    mutationFn: (args: { profile: ProfileViewT; password?: string }) =>
      api('profiles.test', { id: args.profile.id, password: args.password }),
    onSuccess: (result: ProfileTestResultT, args) => {
      queryClient.setQueryData(['test', args.profile.id], result)
      // Success shows in the Overview card; a failure also gets a toast with its remedy.
      if (!result.ok) toasts.error(new ApiError(result.error))
    },
    onError: (error) => toasts.error(error),
  })
  const testProfile = (profile: ProfileViewT) => {
    if (profile.passwordMode === 'ask') setModal({ kind: 'password', profile })
    else testMutation.mutate({ profile })
  }

  const deleteMutation = useMutation({
    mutationFn: (profile: ProfileViewT) => api('profiles.delete', { id: profile.id }),
    onSuccess: (_result, profile) => {
      toasts.success('Profile deleted', profile.name)
      navigate({ tab: 'overview' })
      void queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
    },
    onError: (error) => toasts.error(error),
  })

  const runMenu = async (action: 'import-yaml' | 'import' | 'export' | 'test-all') => {
    try {
      if (action === 'import-yaml') setModal({ kind: 'import-yaml' })
      if (action === 'import') fileInput.current?.click()
      if (action === 'export') {
        const { document, count } = await api('profiles.export')
        download('migr8-profiles.yaml', document)
        toasts.success(`Exported ${count} profile${count === 1 ? '' : 's'}`, 'Passwords are never exported.')
      }
      if (action === 'test-all') {
        await api('profiles.testAll')
        setTrayOpen(true)
      }
    } catch (error) {
      toasts.error(error)
    }
  }

  const commands = useMemo<Command[]>(() => {
    const actions: Command[] = [
      { id: 'new', label: 'New profile', shortcut: 'N', run: () => setModal({ kind: 'form' }) },
      { id: 'test-all', label: 'Test all connections', run: () => void runMenu('test-all') },
      { id: 'import-yaml', label: 'Import profile from migr8.yaml', run: () => void runMenu('import-yaml') },
      { id: 'import', label: 'Import profiles from file', run: () => void runMenu('import') },
      { id: 'export', label: 'Export profiles (no passwords)', run: () => void runMenu('export') },
      { id: 'jobs', label: 'Show jobs', shortcut: 'Shift+J', run: () => setTrayOpen(true) },
      { id: 'help', label: 'Keyboard shortcuts', shortcut: '?', run: () => setModal({ kind: 'help' }) },
    ]
    if (selected) {
      actions.unshift(
        { id: 'test', label: `Test connection: ${selected.name}`, shortcut: 'T', run: () => testProfile(selected) },
        {
          id: 'edit',
          label: `Edit: ${selected.name}`,
          shortcut: 'E',
          run: () => setModal({ kind: 'form', profile: selected }),
        },
        ...TABS.map((tab, index) => ({
          id: `tab-${tab}`,
          label: `Go to ${tab}`,
          hint: selected.name,
          shortcut: String(index + 1),
          run: () => navigate({ profileId: selected.id, tab }),
        })),
      )
    }
    const jumps = ordered.map((profile) => ({
      id: `p-${profile.id}`,
      label: profile.name,
      hint: `${profile.folder ?? 'Ungrouped'} · ${profile.environment} · ${profile.driver}`,
      run: () => navigate({ profileId: profile.id, tab: 'overview' }),
    }))
    return [...jumps, ...actions]
  }, [ordered, selected])

  // Global keyboard shortcuts.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault()
        setModal((current) => (current?.kind === 'palette' ? undefined : { kind: 'palette' }))
        return
      }
      if (modal && event.key === 'Escape') {
        setModal(undefined)
        return
      }
      if (modal || isTyping(event.target) || event.metaKey || event.ctrlKey || event.altKey) return
      const index = selected ? ordered.findIndex((profile) => profile.id === selected.id) : -1
      const key = event.key
      if (key === '?') setModal({ kind: 'help' })
      else if (key === 'n') setModal({ kind: 'form' })
      else if (key === 'J') setTrayOpen((open) => !open)
      else if (key === 'j' && ordered.length)
        navigate({ profileId: ordered[Math.min(index + 1, ordered.length - 1)].id, tab: route.tab })
      else if (key === 'k' && ordered.length)
        navigate({ profileId: ordered[Math.max(index - 1, 0)].id, tab: route.tab })
      else if (selected && key === 'e') setModal({ kind: 'form', profile: selected })
      else if (selected && key === 't') testProfile(selected)
      else if (selected && key === 'Delete' && event.shiftKey) setModal({ kind: 'confirm-delete', profile: selected })
      else if (selected && ['1', '2', '3', '4'].includes(key))
        navigate({ profileId: selected.id, tab: TABS[Number(key) - 1] })
      else return
      event.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  const refreshSecrets = () => {
    void queryClient.invalidateQueries({ queryKey: ['app.info'] })
    void queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
  }

  const folders = useMemo(
    () => [...new Set(list.map((profile) => profile.folder).filter((folder): folder is string => !!folder))],
    [list],
  )
  const close = () => setModal(undefined)
  const secrets = info.data?.secrets

  return (
    <div className="app">
      <Sidebar
        profiles={list}
        selectedId={selected?.id}
        onSelect={(id) => navigate({ profileId: id, tab: route.tab })}
        onNew={() => setModal({ kind: 'form' })}
        onMenu={(action) => void runMenu(action)}
      />
      <div className="content">
        {selected ? (
          <ProfilePage
            key={selected.id}
            profile={selected}
            tab={route.tab}
            info={info.data}
            testing={testMutation.isPending && testMutation.variables?.profile.id === selected.id}
            onTest={() => testProfile(selected)}
            onEdit={() => setModal({ kind: 'form', profile: selected })}
            onDelete={() => setModal({ kind: 'confirm-delete', profile: selected })}
          />
        ) : (
          <main className="main empty-state">
            {profiles.isLoading ? (
              <p className="muted">Loading profiles…</p>
            ) : (
              <div>
                <h1>No connection profiles</h1>
                <p className="muted">Add a PostgreSQL, MySQL/MariaDB or SQLite database to start.</p>
                <button className="button button-primary" onClick={() => setModal({ kind: 'form' })}>
                  New profile
                </button>
                <p className="muted">
                  or press <Kbd>{modKey}</Kbd>
                  <Kbd>K</Kbd>
                </p>
              </div>
            )}
          </main>
        )}
        <footer className="statusbar">
          <span className="status-item" title="How this window talks to Migr8">
            {transportMode === 'electron' ? 'Desktop' : 'Browser mode · 127.0.0.1'}
          </span>
          {secrets && secrets.kind !== 'master' && (
            <span className={`status-item${secrets.available ? '' : ' warn'}`} title={secrets.description}>
              {secrets.available
                ? `Passwords: ${secrets.kind === 'keychain' ? 'OS keychain' : 'encrypted file (AES-256-GCM)'}`
                : 'Passwords: asked each time (no safe store)'}
            </span>
          )}
          {secrets?.kind === 'master' && (
            <button
              className={`status-item jobs-button${secrets.locked ? ' warn' : ''}`}
              title={secrets.description}
              data-testid="master-password-button"
              onClick={() =>
                secrets.locked
                  ? setModal({ kind: 'master-password', configured: !!secrets.configured })
                  : void api('secrets.lock').then(refreshSecrets, (error) => toasts.error(error))
              }
            >
              {secrets.locked
                ? secrets.configured
                  ? 'Passwords locked: unlock…'
                  : 'Passwords asked each time: set a master password…'
                : 'Passwords unlocked: lock'}
            </button>
          )}
          <span className="status-item">{list.length} profiles</span>
          <span className="spacer" />
          {info.data && <span className="status-item muted">v{info.data.version}</span>}
          <JobTray jobs={jobs.data ?? []} open={trayOpen} onToggle={() => setTrayOpen((open) => !open)} />
        </footer>
      </div>

      <input
        ref={fileInput}
        type="file"
        accept=".yaml,.yml,.json"
        hidden
        onChange={async (event) => {
          const file = event.target.files?.[0]
          event.target.value = ''
          if (!file) return
          try {
            const { imported } = await api('profiles.import', { document: await file.text() })
            toasts.success(
              `Imported ${imported.length} profile${imported.length === 1 ? '' : 's'}`,
              'Enter their passwords when you first connect.',
            )
            void queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
          } catch (error) {
            toasts.error(error)
          }
        }}
      />

      {modal?.kind === 'form' && (
        <ProfileForm
          profile={modal.profile}
          info={info.data}
          folders={folders}
          onClose={close}
          onSaved={(saved) => {
            close()
            navigate({ profileId: saved.id, tab: route.tab })
          }}
        />
      )}
      {modal?.kind === 'palette' && <CommandPalette commands={commands} onClose={close} />}
      {modal?.kind === 'help' && <HelpSheet onClose={close} />}
      {modal?.kind === 'password' && (
        <PasswordPrompt
          profileName={modal.profile.name}
          onClose={close}
          onSubmit={(password) => testMutation.mutate({ profile: modal.profile, password })}
        />
      )}
      {modal?.kind === 'master-password' && (
        <MasterPasswordDialog
          configured={modal.configured}
          onClose={close}
          onSubmit={async (password) => {
            try {
              await api('secrets.unlock', { password })
              toasts.success(modal.configured ? 'Passwords unlocked' : 'Master password set')
              refreshSecrets()
            } catch (error) {
              toasts.error(error)
              throw error
            }
          }}
        />
      )}
      {modal?.kind === 'import-yaml' && (
        <TextPrompt
          title="Import from migr8.yaml"
          label="Path of the project's migr8.yaml"
          placeholder="/home/me/project/migr8.yaml"
          onClose={close}
          onSubmit={async (path) => {
            try {
              const profile = await api('profiles.importYaml', { path })
              toasts.success('Profile imported', profile.name)
              await queryClient.invalidateQueries({ queryKey: ['profiles.list'] })
              navigate({ profileId: profile.id, tab: 'overview' })
            } catch (error) {
              toasts.error(error)
            }
          }}
        />
      )}
      {modal?.kind === 'confirm-delete' && (
        <ConfirmDialog
          title={`Delete ${modal.profile.name}?`}
          message={`The profile and its stored password are removed from this computer. The database itself is not touched.${modal.profile.environment === 'production' ? ' This is a production profile.' : ''}`}
          confirmLabel="Delete profile"
          typeToConfirm={modal.profile.environment === 'production' ? databaseName(modal.profile) : undefined}
          onClose={close}
          onConfirm={() => deleteMutation.mutate(modal.profile)}
        />
      )}
    </div>
  )
}
