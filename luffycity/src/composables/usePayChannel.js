// Which Alipay cashier fits this device: "wap" (the mobile-web cashier that hands over to the
// Alipay app) on a phone — a touch screen that is also narrow — and "page" (the desktop cashier
// with a QR code, which a phone cannot scan from its own screen) everywhere else.
import { computed } from 'vue'
import { useMediaQuery } from './useMediaQuery'

export const NARROW_QUERY = '(max-width: 640px)'
export const TOUCH_QUERY = '(pointer: coarse)'

export function usePayChannel() {
  const narrow = useMediaQuery(NARROW_QUERY)
  const coarse = useMediaQuery(TOUCH_QUERY)
  const touch = () =>
    coarse.value || (typeof navigator !== 'undefined' && navigator.maxTouchPoints > 0)
  return computed(() => (narrow.value && touch() ? 'wap' : 'page'))
}
