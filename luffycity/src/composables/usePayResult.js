// The pay result page's logic: read Alipay's return parameters and poll the backend.
import { ref, watch } from 'vue'
import { fetchOrder, fetchPayResult } from '@/api/order'
import { usePolling } from './usePolling'

export const ORDER_PAID = 1

/** "?a=1&b=x%20y" → { a: '1', b: 'x y' } (decoded; the last one wins for repeated keys). */
export function parseReturnParams(search) {
  const params = {}
  new URLSearchParams(search).forEach((value, key) => {
    params[key] = value
  })
  return params
}

/**
 * state: 'checking' (first answer pending) → 'pending' (not paid yet, still polling) →
 * 'paid' | 'timeout' (gave up) | 'error'; or 'cancelled' / 'missing' without polling.
 */
export function usePayResult(search, { interval = 2000, maxAttempts = 30 } = {}) {
  const params = parseReturnParams(search)
  const outTradeNo = params.out_trade_no || ''
  const state = ref('checking')
  const order = ref(null)
  const errorMessage = ref('')

  const polling = usePolling(
    async () => {
      let data
      try {
        data = await fetchPayResult(params) // every return parameter, verbatim
      } catch (err) {
        if (err.httpStatus === 0) return false // network blip: keep trying
        throw err
      }
      if (data.order) order.value = data.order
      if (data.status === 0) {
        state.value = 'paid'
        return true
      }
      state.value = 'pending'
      return false
    },
    { interval, maxAttempts },
  )

  async function showCancelled() {
    state.value = 'checking'
    try {
      order.value = (await fetchOrder(outTradeNo)).order
    } catch {
      order.value = null // still tell the user it was cancelled
    }
    // The payment may have gone through after all (e.g. paid in another tab).
    state.value = order.value?.order_status === ORDER_PAID ? 'paid' : 'cancelled'
  }

  function start() {
    if (!outTradeNo) {
      state.value = 'missing'
      return
    }
    if (params.cancelled === '1') {
      showCancelled()
      return
    }
    state.value = 'checking'
    polling.start()
  }

  // Polling outcomes that the task itself cannot report.
  watch(polling.exhausted, (exhausted) => {
    if (exhausted) state.value = 'timeout'
  }, { flush: 'sync' })
  watch(polling.error, (err) => {
    if (!err) return
    errorMessage.value = err.message || '查询支付结果失败'
    state.value = 'error'
  }, { flush: 'sync' })

  return {
    params,
    outTradeNo,
    state,
    order,
    errorMessage,
    attempts: polling.attempts,
    start,
    stop: polling.stop,
  }
}
