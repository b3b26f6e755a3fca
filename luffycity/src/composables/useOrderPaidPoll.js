// Polls the pay result of one order until it is paid (WeChat's QR dialog waits on this).
import { ref, watch } from 'vue'
import { fetchPayResult } from '@/api/order'
import { usePolling } from './usePolling'

/** Answers that will not change by asking again: the order does not exist or is not ours. */
const FINAL_HTTP_STATUSES = [403, 404]

/**
 * `paid` turns true (with `order`) once the backend says status 0. Network blips and server
 * hiccups are retried; `error` is set only for an answer that asking again cannot change.
 * The answer of a stopped (or restarted) run is dropped: a generation counter, as in usePolling.
 */
export function useOrderPaidPoll(outTradeNo, { interval = 2000, maxAttempts = 900 } = {}) {
  const paid = ref(false)
  const order = ref(null)
  const error = ref(null)
  let generation = 0

  const polling = usePolling(
    async () => {
      const run = generation
      let data
      try {
        data = await fetchPayResult({ out_trade_no: outTradeNo })
      } catch (err) {
        if (FINAL_HTTP_STATUSES.includes(err.httpStatus)) throw err
        return false // network or server trouble: the scan may still go through
      }
      if (run !== generation || data.status !== 0) return false
      order.value = data.order || null
      paid.value = true
      return true
    },
    { interval, maxAttempts },
  )

  watch(polling.error, (err) => {
    if (err) error.value = err
  }, { flush: 'sync' })

  function start() {
    generation += 1
    error.value = null
    polling.start()
  }

  function stop() {
    generation += 1
    polling.stop()
  }

  return { paid, order, error, exhausted: polling.exhausted, start, stop }
}
