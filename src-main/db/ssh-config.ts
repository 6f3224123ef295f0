import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * The few ssh_config(5) keys a tunnel needs, for one host alias. Like OpenSSH, the first value
 * found for a key wins, `Host` patterns take `*`, `?` and `!negation`, and `Match` blocks are
 * skipped (their conditions are not evaluated).
 */
export interface SshHostConfig {
  hostName?: string
  port?: number
  user?: string
  identityFiles: string[]
  proxyJump?: string
  userKnownHostsFile?: string
  strictHostKeyChecking?: string
  identitiesOnly?: boolean
}

const KEYS: Record<string, keyof SshHostConfig> = {
  hostname: 'hostName',
  port: 'port',
  user: 'user',
  identityfile: 'identityFiles',
  proxyjump: 'proxyJump',
  userknownhostsfile: 'userKnownHostsFile',
  stricthostkeychecking: 'strictHostKeyChecking',
  identitiesonly: 'identitiesOnly',
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${body}$`, 'i')
}

/** Whether a `Host` line's patterns select `alias`: one positive match and no negated one. */
export function hostMatches(patterns: string[], alias: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(alias)) {
      if (negated) return false
      matched = true
    }
  }
  return matched
}

function expandHome(path: string): string {
  return path.replace(/^~(?=$|\/)/, homedir())
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

/** Reads the settings for `alias` from an ssh_config text (Include is followed one level per call). */
export function parseSshConfig(text: string, alias: string, baseDir = join(homedir(), '.ssh')): SshHostConfig {
  const found: SshHostConfig = { identityFiles: [] }
  const seen = new Set<string>()
  const visit = (source: string, depth: number) => {
    let active = true
    for (const raw of source.split(/\r?\n/)) {
      const line = raw.trim()
      if (!line || line.startsWith('#')) continue
      const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line)
      if (!match) continue
      const key = match[1].toLowerCase()
      const value = match[2].trim()
      if (key === 'host') {
        active = hostMatches(value.split(/\s+/).map(unquote), alias)
        continue
      }
      if (key === 'match') {
        active = /^all$/i.test(value)
        continue
      }
      if (!active) continue
      if (key === 'include' && depth < 4) {
        for (const name of value.split(/\s+/)) {
          const path = expandHome(unquote(name))
          try {
            visit(readFileSync(isAbsolute(path) ? path : join(baseDir, path), 'utf8'), depth + 1)
          } catch {
            // A missing include is ignored, as ssh does.
          }
        }
        continue
      }
      const field = KEYS[key]
      if (!field) continue
      const text = unquote(value)
      if (field === 'identityFiles') {
        found.identityFiles.push(expandHome(text).replace(/%d/g, homedir()))
        continue
      }
      if (seen.has(field)) continue
      seen.add(field)
      if (field === 'port') found.port = Number(text)
      else if (field === 'identitiesOnly') found.identitiesOnly = /^yes$/i.test(text)
      else if (field === 'userKnownHostsFile') found.userKnownHostsFile = expandHome(text.split(/\s+/)[0])
      else found[field] = text
    }
  }
  visit(text, 0)
  if (found.hostName) found.hostName = found.hostName.replace(/%h/g, alias)
  return found
}

/** The settings for `alias` from `file` (default ~/.ssh/config); empty when the file does not exist. */
export function readSshConfig(alias: string, file?: string): SshHostConfig {
  if (file === 'none') return { identityFiles: [] }
  const path = file ?? join(homedir(), '.ssh', 'config')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return { identityFiles: [] }
  }
  return parseSshConfig(text, alias)
}
