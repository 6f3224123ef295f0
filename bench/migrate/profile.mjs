// Summarises a V8 .cpuprofile (node --cpu-prof): self time grouped by where the code lives, so a
// benchmark can say what dominates a command without opening DevTools.
import { readFileSync } from 'node:fs'

function groupOf(url, functionName, bundleDir) {
  if (!url)
    return functionName === '(garbage collector)'
      ? 'GC'
      : functionName === '(program)'
        ? 'V8/native (program)'
        : functionName === '(idle)'
          ? 'idle (waiting on I/O)'
          : `native: ${functionName}`
  if (url.startsWith('node:')) return `node core (${url.slice(5).split('/')[0]})`
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/')
    return `npm: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`
  }
  if (url.includes('/out/cli/') || (bundleDir && url.startsWith(`file://${bundleDir}`))) return 'migr8 bundle'
  return url.replace(/^file:\/\//, '')
}

/** Self time (ms) per group, biggest first, and the top functions of the migr8 bundle. */
export function summarise(file, top = 8, bundleDir = undefined) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map()
  const deltas = profile.timeDeltas
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i])
    const dt = (deltas[i + 1] ?? 0) / 1000
    self.set(node, (self.get(node) ?? 0) + dt)
  }
  const groups = new Map()
  const functions = new Map()
  for (const [node, ms] of self) {
    const { url, functionName, lineNumber } = node.callFrame
    const group = groupOf(url, functionName, bundleDir)
    groups.set(group, (groups.get(group) ?? 0) + ms)
    if (group === 'migr8 bundle' || group.startsWith('npm:')) {
      const key = `${functionName || '(anonymous)'} ${group === 'migr8 bundle' ? url.split('/').pop() : group.slice(5)}:${lineNumber + 1}`
      functions.set(key, (functions.get(key) ?? 0) + ms)
    }
  }
  const total = (profile.endTime - profile.startTime) / 1000
  const sort = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top)
  return { totalMs: total, groups: sort(groups), functions: sort(functions) }
}
