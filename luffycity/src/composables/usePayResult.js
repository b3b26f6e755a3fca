// The pay result page's logic: read Alipay's return parameters and poll the backend.
import { ref, watch } from 'vue'
import { fetchOrder, fetchPayResult, PAY_TYPE_WECHAT } from '@/api/order'
import { isRefunded, ORDER_CANCELLED, ORDER_PAID, ORDER_TIMED_OUT } from '@/utils/order'
import { usePolling } from './usePolling'

/** Answers that will not change by asking again: the order does not exist or is not ours. */
const FINAL_HTTP_STATUSES = [403, 404]
/** Closed without payment: nothing will pay them unless Alipay says it was paid after all. */
const CLOSED_STATUSES = [ORDER_CANCELLED, ORDER_TIMED_OUT]
/** `via` of the redirect_url WeChat's H5 cashier returns to (apps/order/providers/wechat.py). */
export const WECHAT_H5_RETURN = 'wechat_h5'

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
 * 'paid' | 'refunded' (paid, then money given back) | 'closed' (cancelled or timed out, not
 * paid) | 'timeout' (gave up) | 'unknown' (no such order of ours) | 'error';
 * or 'cancelled' / 'missing' without polling. `retryable` says whether asking again may help.
 *
 * Back from WeChat's H5 cashier (`via=wechat_h5`), which returns whether the student paid or
 * not: the first "not paid" (the backend has just asked WeChat) turns into 'confirm', which
 * asks the student (WeChat's H5 guidance) instead of polling a minute. `confirmPaid()` (已完成
 * 支付) polls again for `recheckAttempts` tries, then asks again with `notFoundYet` set.
 */
export function usePayResult(search, { interval = 2000, maxAttempts = 30, recheckAttempts = 5 } = {}) {
  const params = parseReturnParams(search)
  const outTradeNo = params.out_trade_no || ''
  // Wording only: a signed (Alipay) return, or an order not paid by WeChat, ignores it.
  const backFromWechatH5 = params.via === WECHAT_H5_RETURN && !params.sign
  const state = ref('checking')
  const order = ref(null)
  const errorMessage = ref('')
  const retryable = ref(true)
  const notFoundYet = ref(false)
  let rechecking = false // the student said 已完成支付: poll a short while before asking again

  const paidState = (paidOrder) => (isRefunded(paidOrder) ? 'refunded' : 'paid')

  function fail(err) {
    errorMessage.value = err.message || '查询支付结果失败'
    retryable.value = !FINAL_HTTP_STATUSES.includes(err.httpStatus)
    state.value = retryable.value ? 'error' : 'unknown'
  }

  const polling = usePolling(
    async (attempt) => {
      let data
      try {
        data = await fetchPayResult(params) // every return parameter, verbatim
      } catch (err) {
        if (err.httpStatus === 0) return false // network blip: keep trying
        throw err
      }
      if (data.order) order.value = data.order
      if (data.status === 0) {
        state.value = paidState(data.order)
        return true
      }
      // Closed and not paid: asking again changes nothing. Unless the browser came back from
      // Alipay's cashier (signed return): then money was taken and the order will settle.
      if (CLOSED_STATUSES.includes(data.order?.order_status) && !params.sign) {
        state.value = 'closed'
        return true
      }
      if (backFromWechatH5 && data.order?.pay_type === PAY_TYPE_WECHAT) {
        if (!rechecking || attempt >= recheckAttempts) {
          notFoundYet.value = rechecking
          state.value = 'confirm'
          return true
        }
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
    } catch (err) {
      order.value = null
      if (FINAL_HTTP_STATUSES.includes(err.httpStatus)) {
        fail(err) // no such order (or not ours): nothing was cancelled
        return
      }
      // Otherwise (e.g. network): still tell the user it was cancelled.
    }
    // The payment may have gone through after all (e.g. paid in another tab).
    state.value = order.value?.order_status === ORDER_PAID ? paidState(order.value) : 'cancelled'
  }

  function start() {
    errorMessage.value = ''
    retryable.value = true
    rechecking = false
    notFoundYet.value = false
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

  /** 已完成支付: ask the backend (and so WeChat) again now, and for a short while. */
  function confirmPaid() {
    if (state.value !== 'confirm') return
    rechecking = true
    state.value = 'checking'
    polling.start()
  }

  // Polling outcomes that the task itself cannot report.
  watch(polling.exhausted, (exhausted) => {
    if (exhausted) state.value = 'timeout'
  }, { flush: 'sync' })
  watch(polling.error, (err) => {
    if (err) fail(err)
  }, { flush: 'sync' })

  return {
    params,
    outTradeNo,
    state,
    order,
    errorMessage,
    retryable,
    notFoundYet,
    attempts: polling.attempts,
    start,
    confirmPaid,
    stop: polling.stop,
  }
}
