// Datetimes are shown as Beijing time (UTC+8, no DST) whatever the browser's zone is.

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000
const pad = (n) => String(n).padStart(2, '0')

/** ISO 8601 (any offset) → "YYYY-MM-DD HH:mm:ss" in Beijing time; "—" when empty/invalid. */
export function formatDateTime(iso) {
  if (!iso) return '—'
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return String(iso)
  const d = new Date(time + BEIJING_OFFSET_MS)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

export function isPast(iso, now = Date.now()) {
  const time = Date.parse(iso)
  return !Number.isNaN(time) && time <= now
}
