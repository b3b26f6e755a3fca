// What the browser tells about itself, in one place (and easy to stub in tests).

/** True inside WeChat's own browser (its user agent says "MicroMessenger"). */
export function isWeChatBrowser(userAgent = typeof navigator === 'undefined' ? '' : navigator.userAgent) {
  return /MicroMessenger/i.test(userAgent || '')
}
