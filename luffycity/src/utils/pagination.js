// Helpers for DRF page-number pagination ({count, next, previous, results}).

/** `?page=` → a positive integer (1 when missing or invalid). */
export function toPage(raw) {
  const page = Number.parseInt(Array.isArray(raw) ? raw[0] : raw, 10)
  return Number.isFinite(page) && page > 0 ? page : 1
}

/**
 * The server's page size, which the API does not state: every page before the last is full,
 * so it is the length of a page that has a `next`, or is derived from `count` on the last page.
 */
export function inferPageSize({ page, count, next, results }) {
  const length = results.length
  if (next) return Math.max(length, 1)
  if (page > 1) return Math.max(Math.round((count - length) / (page - 1)), 1)
  return Math.max(length, 1)
}
