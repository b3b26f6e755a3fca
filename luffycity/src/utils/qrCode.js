// Draws a QR code in the browser (no network): an SVG data URL for an <img>, which the
// Content-Security-Policy allows (img-src 'self' data:) without any inline script or style.
import QRCode from 'qrcode'

/** "weixin://wxpay/bizpayurl?pr=…" → "data:image/svg+xml;charset=utf-8,…" */
export async function qrSvgDataUrl(text) {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
