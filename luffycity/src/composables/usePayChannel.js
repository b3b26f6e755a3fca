// Which cashier fits this device. A phone is a touch screen that is also narrow: it gets
// Alipay's mobile-web cashier ("wap", which hands over to the Alipay app) or WeChat's H5 page
// ("h5", which hands over to WeChat). Everything else gets the desktop cashier: Alipay's page
// with its QR code ("page") or our own dialog drawing WeChat's QR code ("native"). A phone
// cannot scan a QR code on its own screen.
import { computed, toValue } from 'vue'
import { useMediaQuery } from './useMediaQuery'

export const NARROW_QUERY = '(max-width: 640px)'
export const TOUCH_QUERY = '(pointer: coarse)'

const CHANNELS = {
  alipay: { desktop: 'page', phone: 'wap' },
  wechat: { desktop: 'native', phone: 'h5' },
}

/** The channel of pay method `method` ("alipay" | "wechat") on a phone or a desktop. */
export function payChannel(method, phone) {
  const channels = CHANNELS[method] || CHANNELS.alipay
  return phone ? channels.phone : channels.desktop
}

/** A reactive "is this a phone?" (touch and narrow). */
export function useIsPhone() {
  const narrow = useMediaQuery(NARROW_QUERY)
  const coarse = useMediaQuery(TOUCH_QUERY)
  const touch = () =>
    coarse.value || (typeof navigator !== 'undefined' && navigator.maxTouchPoints > 0)
  return computed(() => narrow.value && touch())
}

/** The channel for `method` (a value, ref or getter; Alipay by default) on this device. */
export function usePayChannel(method = 'alipay') {
  const phone = useIsPhone()
  return computed(() => payChannel(toValue(method), phone.value))
}
