/** A small SVG bar chart over time; many points are bucketed so 10,000 migrations draw as ~200 bars. */
import { useMemo } from 'react'

export interface ChartPoint {
  at: number
  value: number
  label: string
  tone?: 'accent' | 'warn' | 'danger' | 'ok'
}

export function BarChart(props: {
  points: ChartPoint[]
  format: (value: number) => string
  height?: number
  testId?: string
  empty: string
}) {
  const height = props.height ?? 84
  const width = 1000
  const bars = useMemo(() => {
    const points = [...props.points].sort((a, b) => a.at - b.at)
    const max = 220
    if (points.length <= max) return points.map((point) => ({ ...point, count: 1 }))
    const size = Math.ceil(points.length / max)
    const buckets = []
    for (let i = 0; i < points.length; i += size) {
      const slice = points.slice(i, i + size)
      const top = slice.reduce((a, b) => (b.value > a.value ? b : a))
      buckets.push({ ...top, label: `${slice.length} items, max ${top.label}`, count: slice.length })
    }
    return buckets
  }, [props.points])
  if (bars.length === 0) return <div className="chart-empty muted small">{props.empty}</div>
  const top = Math.max(...bars.map((bar) => bar.value), 1)
  const slot = width / Math.max(bars.length, 24)
  const gap = Math.min(2, slot * 0.2)
  return (
    <div className="chart" data-testid={props.testId}>
      <div className="chart-axis small muted">
        <span>{props.format(top)}</span>
        <span>0</span>
      </div>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label="chart">
        <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="chart-base" />
        {bars.map((bar, index) => {
          const h = Math.max(1.5, (bar.value / top) * (height - 4))
          return (
            <rect
              key={index}
              x={index * slot + gap / 2}
              y={height - h}
              width={Math.max(1, slot - gap)}
              height={h}
              className={`chart-bar chart-${bar.tone ?? 'accent'}`}
            >
              <title>{`${bar.label}: ${props.format(bar.value)}`}</title>
            </rect>
          )
        })}
      </svg>
    </div>
  )
}
