// Money on the wire is a 2-decimal string ("99.00"); sums are done in integer cents.

const PRICE_RE = /^(\d+)(?:\.(\d{1,2}))?$/

/** "99.5" → 9950. Throws on anything that is not a non-negative decimal with ≤ 2 places. */
export function toCents(price) {
  const match = PRICE_RE.exec(String(price).trim())
  if (!match) throw new Error(`无效的金额: ${price}`)
  return Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'))
}

export function centsToString(cents) {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
}

/** ["99.00", "0.10"] → "99.10" */
export function sumPrices(prices) {
  return centsToString(prices.reduce((total, price) => total + toCents(price), 0))
}

/** "99" → "¥99.00" (falls back to the raw value if it is not a price). */
export function formatPrice(price) {
  try {
    return `¥${centsToString(toCents(price))}`
  } catch {
    return `¥${price}`
  }
}

/** True for a price above zero ("0.00", "", null and garbage are not). */
export function isPositiveAmount(price) {
  try {
    return toCents(price) > 0
  } catch {
    return false
  }
}
