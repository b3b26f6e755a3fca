import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { ApiError } from '@/api/http'

vi.mock('@/api/order', () => ({ fetchPayResult: vi.fn() }))

const { fetchPayResult } = await import('@/api/order')
const { useOrderPaidPoll } = await import('@/composables/useOrderPaidPoll')

const notYet = { status: 1, msg: '暂未收到付款' }
const paidOrder = { out_trade_no: 'W1', order_status: 1 }

describe('useOrderPaidPoll', () => {
  let scope
  beforeEach(() => {
    vi.useFakeTimers()
    scope = effectScope()
  })
  afterEach(() => {
    scope.stop()
    vi.useRealTimers()
  })

  it('asks by order number every 2 s until paid, through network and server trouble', async () => {
    fetchPayResult
      .mockResolvedValueOnce(notYet)
      .mockRejectedValueOnce(new ApiError('网络错误', { httpStatus: 0 }))
      .mockRejectedValueOnce(new ApiError('服务器开小差了', { httpStatus: 502 }))
      .mockResolvedValueOnce({ status: 0, order: paidOrder })
    const poll = scope.run(() => useOrderPaidPoll('W1'))
    poll.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(fetchPayResult).toHaveBeenCalledWith({ out_trade_no: 'W1' })
    expect(poll.paid.value).toBe(false)

    await vi.advanceTimersByTimeAsync(6000)
    expect(fetchPayResult).toHaveBeenCalledTimes(4)
    expect(poll.paid.value).toBe(true)
    expect(poll.order.value).toEqual(paidOrder)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fetchPayResult).toHaveBeenCalledTimes(4) // done: no more asking
  })

  it('gives up with the error for an order that is not there (or not ours)', async () => {
    fetchPayResult.mockRejectedValue(new ApiError('订单不存在', { httpStatus: 404 }))
    const poll = scope.run(() => useOrderPaidPoll('W404'))
    poll.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(poll.error.value.message).toBe('订单不存在')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fetchPayResult).toHaveBeenCalledTimes(1)
  })

  it('drops the late answer of a stopped poll', async () => {
    let answer
    fetchPayResult.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    const poll = scope.run(() => useOrderPaidPoll('W2'))
    poll.start()
    poll.stop()
    answer({ status: 0, order: paidOrder })
    await vi.advanceTimersByTimeAsync(0)
    expect(poll.paid.value).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fetchPayResult).toHaveBeenCalledTimes(1)
  })
})
