/**
 * Architecture guard (until the lint rule lands): raw Electron IPC appears only in the transport
 * and the preload, and only src-main/electron, src-main/preload and the IPC transport import electron.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : []
  })
}

const files = ['src-main', 'src-shared', 'src-renderer']
  .flatMap((dir) => sources(join(ROOT, dir)))
  .map((file) => ({ file: relative(ROOT, file).replace(/\\/g, '/'), text: readFileSync(file, 'utf8') }))

describe('process boundaries', () => {
  it('keeps ipcMain, ipcRenderer and webContents.send inside the transport and preload', () => {
    const allowed = new Set(['src-main/transport/ipc.ts', 'src-main/preload/index.ts'])
    const offenders = files.filter(
      ({ file, text }) =>
        !allowed.has(file) &&
        /\bipcMain\b|\bipcRenderer\b|webContents\.send\b|contents\.send\(/.test(
          text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''),
        ),
    )
    expect(offenders.map(({ file }) => file)).toEqual([])
  })

  it('imports electron only from the Electron entry, the preload and the IPC transport', () => {
    const offenders = files.filter(({ file, text }) => {
      if (/^src-main\/(electron|preload)\//.test(file) || file === 'src-main/transport/ipc.ts') return false
      return /from 'electron'|require\('electron'\)|import\('electron'\)/.test(
        text.replace(/import type [^\n]*from 'electron'/g, ''),
      )
    })
    expect(offenders.map(({ file }) => file)).toEqual([])
  })

  it('never lets the renderer import Node or main-process code', () => {
    const offenders = files.filter(
      ({ file, text }) => file.startsWith('src-renderer/') && /from '(node:|\.\.\/\.\.\/\.\.\/src-main)/.test(text),
    )
    expect(offenders.map(({ file }) => file)).toEqual([])
  })
})
