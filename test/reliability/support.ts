/**
 * Helpers for the reliability suite: seeded randomness, figures printed in one greppable format
 * (docs/reliability.md quotes them), a CLI config writer and small process utilities.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { connectionUrl } from '../../src-main/config/url.js'
import { CLI } from '../support/cli.js'

/** Seed for every random choice of the suite; set MIGR8_RELIABILITY_SEED to replay another sequence. */
export const SEED = Number(process.env.MIGR8_RELIABILITY_SEED ?? 20_261_125)

/** mulberry32: small, fast, and the same sequence on every machine for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One line per measured claim: `FIGURE <test> | key=value …`. */
export function figure(test: string, values: Record<string, string | number | boolean>): void {
  const text = Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
  console.log(`FIGURE ${test} | ${text}`)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A working folder holding a migr8.yaml for `connection` plus any extra YAML sections. */
export function cliWorkspace(connection: ConnectionConfig, extra = '', prefix = 'migr8-rel-'): string {
  const cwd = mkdtempSync(join(tmpdir(), prefix))
  writeFileSync(
    join(cwd, 'migr8.yaml'),
    `database:\n  url: ${connectionUrl(connection, { revealPassword: true })}\n${extra}`,
  )
  return cwd
}

/** Spawns `migr8 …` without waiting; the caller kills or awaits it. */
export function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: 'ignore' })
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })))
}

/** Every file below `dir` (relative names), for "nothing was written" checks. */
export function listTree(dir: string): string[] {
  const out: string[] = []
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(rel)
      else out.push(rel)
    }
  }
  try {
    walk('')
  } catch {
    return []
  }
  return out.sort()
}

/** Command lines of every process on the machine (`/proc/<pid>/cmdline`), NULs as spaces. */
export function allCommandLines(): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ')
      if (cmdline) out.push({ pid: Number(name), cmdline })
    } catch {
      // exited meanwhile
    }
  }
  return out
}
