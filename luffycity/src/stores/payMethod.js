// The student's pay method (支付宝 or 微信支付): offered only if the shop takes it
// (GET /api/order/pay-methods/, fetched once), remembered in localStorage across visits.
import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { fetchPayMethods, PAY_TYPE_ALIPAY, PAY_TYPE_WECHAT } from '@/api/order'

export const PAY_METHOD_STORAGE_KEY = 'luffy.payMethod'

/** The methods this front end knows; `payType` is the API's `pay_type`. */
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
  // What the student chose last (kept even while that method is off: it comes back with it).
  const preferred = ref(readStorage())
  // The methods the shop takes, in its order; null until known (loading, or the fetch failed:
  // then every known method is offered and buy-now's 400 tells the rest).
  const enabled = ref(null)
  // Settled: the pay methods answered, or failed to. The picker waits for it (no flicker).
  const ready = ref(false)
  // Methods the backend refused at buy-now (switched off since the list was read, or the list
  // could not be read). Kept for this page load only.
  const unavailable = ref([])

  /** The methods the shop offers, in its order: [{ value, label, payType }]. */
  const offered = computed(() =>
    (enabled.value ?? PAY_METHODS.map((method) => method.value)).map(payMethodOf).filter(Boolean),
  )
  /** On offer and not refused since. */
  const isAvailable = (value) =>
    !unavailable.value.includes(value) && offered.value.some((method) => method.value === value)

  /** The method buy-now uses: the remembered one if available, else the shop's first. */
  const method = computed(() => {
    if (isAvailable(preferred.value)) return preferred.value
    return offered.value.find((candidate) => isAvailable(candidate.value))?.value ?? preferred.value
  })
  const current = computed(() => payMethodOf(method.value))

  /** Picks a method; false for an unknown one or one not on offer. */
  function choose(value) {
    if (!isAvailable(value)) return false
    preferred.value = value
    return true
  }

  /** The backend refused `value`: it stays shown, disabled; `method` falls back to another. */
  function markUnavailable(value) {
    if (!unavailable.value.includes(value)) unavailable.value = [...unavailable.value, value]
  }

  let loading = null
  /** Reads the methods the shop takes, once per page load (a failed read is tried again). */
  function load() {
    loading ||= read().then((done) => {
      if (!done) loading = null // every known method is on offer meanwhile
    })
    return loading
  }

  async function read() {
    try {
      const { methods } = await fetchPayMethods()
      enabled.value = methods.map((entry) => entry.provider).filter((value) => payMethodOf(value))
      return true
    } catch {
      return false
    } finally {
      ready.value = true
    }
  }

  watch(preferred, writeStorage)

  return { method, current, offered, enabled, ready, unavailable, isAvailable, choose, markUnavailable, load }
})
