import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserWindow, Rectangle } from 'electron'
import { writeFileAtomic } from '../profiles/atomic.js'

export interface WindowState {
  bounds: Rectangle
  maximized: boolean
}

const DEFAULT_STATE: WindowState = { bounds: { x: 0, y: 0, width: 1280, height: 800 }, maximized: false }

/** The last size and position, if they still fit on one of the connected displays. */
export function loadWindowState(dir: string, workAreas: Rectangle[]): WindowState & { placed: boolean } {
  const file = join(dir, 'window-state.json')
  if (!existsSync(file)) return { ...DEFAULT_STATE, placed: false }
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as WindowState
    const { x, y, width, height } = state.bounds
    if (![x, y, width, height].every(Number.isFinite) || width < 400 || height < 300)
      return { ...DEFAULT_STATE, placed: false }
    const visible = workAreas.some(
      (area) =>
        x < area.x + area.width - 50 && x + width > area.x + 50 && y >= area.y - 10 && y < area.y + area.height - 50,
    )
    return visible
      ? { ...state, placed: true }
      : { bounds: { ...state.bounds, x: 0, y: 0 }, maximized: state.maximized, placed: false }
  } catch {
    return { ...DEFAULT_STATE, placed: false }
  }
}

/** Saves the window's normal bounds (not the maximised ones) when it moves, resizes or closes. */
export function trackWindowState(window: BrowserWindow, dir: string): void {
  const file = join(dir, 'window-state.json')
  let timer: NodeJS.Timeout | undefined
  const save = () => {
    if (window.isDestroyed()) return
    const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() }
    try {
      writeFileAtomic(file, JSON.stringify(state), 0o600)
    } catch {
      // Not worth bothering the user: the window opens at the default size next time.
    }
  }
  const later = () => {
    clearTimeout(timer)
    timer = setTimeout(save, 500)
  }
  window.on('resize', later)
  window.on('move', later)
  window.on('close', () => {
    clearTimeout(timer)
    save()
  })
}
