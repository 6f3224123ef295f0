import { join } from 'node:path'
import type { ProfileStore } from './store.js'

/**
 * First start: with no profile file yet, add an embedded SQLite demo profile pointing at the
 * example migrations and seeds shipped with the app, so the app is useful before any server exists.
 * A user who deletes it keeps it deleted (the profile file then exists).
 */
export async function ensureDemoProfile(store: ProfileStore, appRoot: string): Promise<void> {
  if (store.exists()) return
  const examples = join(appRoot, 'examples')
  await store.save(
    {
      name: 'Demo (SQLite)',
      driver: 'sqlite',
      database: join(store.dir, 'demo.sqlite'),
      ssl: { mode: 'disable' },
      folder: 'Demo',
      environment: 'development',
      folders: {
        migrations: join(examples, 'migrations'),
        seeds: join(examples, 'seeds'),
        backups: join(store.dir, 'backups', 'demo'),
      },
      readOnly: false,
      passwordMode: 'none',
    },
    { demo: true },
  )
}
