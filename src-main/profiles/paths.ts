import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Where Migr8 keeps its profiles, secrets and window state: `$MIGR8_HOME`, else
 * `$XDG_CONFIG_HOME/migr8`, else `~/.config/migr8`. Tests point MIGR8_HOME at a temporary folder
 * so they never touch the user's real profiles.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MIGR8_HOME) return resolve(env.MIGR8_HOME)
  if (env.XDG_CONFIG_HOME) return join(resolve(env.XDG_CONFIG_HOME), 'migr8')
  return join(homedir(), '.config', 'migr8')
}
