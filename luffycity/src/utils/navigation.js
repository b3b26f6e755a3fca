// Navigation helpers kept in one place (and easy to stub in tests).

/** Leaves the app for another origin, e.g. the Alipay cashier page. */
export function goToExternal(url) {
  window.location.assign(url)
}

/** Only same-app paths are accepted as a post-login redirect (no open redirects). */
export function safeRedirect(raw, fallback = '/') {
  const target = Array.isArray(raw) ? raw[0] : raw
  if (typeof target !== 'string' || !target.startsWith('/')) return fallback
  if (target.startsWith('//') || target.startsWith('/\\')) return fallback
  if (/^\/(login|register)(\/|\?|$)/.test(target)) return fallback
  return target
}
