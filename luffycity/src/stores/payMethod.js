// The student's pay method (支付宝 or 微信支付), remembered in localStorage across visits.
import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { PAY_TYPE_ALIPAY, PAY_TYPE_WECHAT } from '@/api/order'

export const PAY_METHOD_STORAGE_KEY = 'luffy.payMethod'

/** The methods in the order they are offered; `payType` is the API's `pay_type`. */
export const PAY_METHODS = [
  { value: 'alipay', label: '支付宝', payType: PAY_TYPE_ALIPAY },
  { value: 'wechat', label: '微信支付', payType: PAY_TYPE_WECHAT },
]
const DEFAULT_METHOD = 'alipay'

export const payMethodOf = (value) => PAY_METHODS.find((method) => method.value === value)

/** The method of an order's `pay_type` ("alipay" | "wechat"), or undefined for another one. */
export const methodOfPayType = (payType) => PAY_METHODS.find((method) => method.payType === payType)?.value

function readStorage() {
  try {
    const saved = window.localStorage.getItem(PAY_METHOD_STORAGE_KEY)
    return payMethodOf(saved) ? saved : DEFAULT_METHOD
  } catch {
    return DEFAULT_METHOD // storage disabled: the choice lives in memory only
  }
}

function writeStorage(value) {
  try {
    window.localStorage.setItem(PAY_METHOD_STORAGE_KEY, value)
  } catch {
    /* see readStorage */
  }
}

export const usePayMethodStore = defineStore('payMethod', () => {
  const method = ref(readStorage())
  // Methods the backend refused (a provider switched off there). Kept for this page load only,
  // so a provider switched on again is offered after a reload.
  const unavailable = ref([])

  const current = computed(() => payMethodOf(method.value))
  const isAvailable = (value) => !unavailable.value.includes(value)

  /** Picks a method; false for an unknown or refused one. */
  function choose(value) {
    if (!payMethodOf(value) || !isAvailable(value)) return false
    method.value = value
    return true
  }

  /** The backend refused `value`: stop offering it and fall back to one still on offer. */
  function markUnavailable(value) {
    if (!isAvailable(value)) return
    unavailable.value = [...unavailable.value, value]
    if (method.value === value) {
      const other = PAY_METHODS.find((candidate) => isAvailable(candidate.value))
      if (other) method.value = other.value
    }
  }

  watch(method, writeStorage)

  return { method, current, unavailable, isAvailable, choose, markUnavailable }
})
