import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'

vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, fetchPayResult: vi.fn(), fetchOrder: vi.fn() }))

const orderApi = await import('@/api/order')
const { parseReturnParams, usePayResult } = await import('@/composables/usePayResult')
const { usePolling } = await import('@/composables/usePolling')

const SEARCH =
  '?charset=utf-8&out_trade_no=20210115N1&method=alipay.trade.page.pay.return&total_amount=99.00' +
  '&sign=C%2BtM1IqF9%2FhrOTq%3D%3D&trade_no=2021011522001453300501032429' +
  '&sign_type=RSA2&timestamp=2021-01-15%2012%3A23%3A44'

const paidOrder = {
  out_trade_no: '20210115N1',
  order_status: 1,
  trade_no: '2021011522001453300501032429',
  pay_time: '2021-01-15T12:23:44+08:00',
  total_amount: '99.00',
  lines: [{ course_id: 1, course_name: 'Python', price: '99.00', real_price: '99.00' }],
}
const pending = { status: 1, msg: '暂未收到付款', order: { ...paidOrder, order_status: 0, trade_no: null } }
const paid = { status: 0, msg: '支付成功', order: paidOrder }

describe('parseReturnParams', () => {
  it('decodes every parameter exactly once', () => {
    expect(parseReturnParams(SEARCH)).toEqual({
      charset: 'utf-8',
      out_trade_no: '20210115N1',
      method: 'alipay.trade.page.pay.return',
      total_amount: '99.00',
      sign: 'C+tM1IqF9/hrOTq==',
      trade_no: '2021011522001453300501032429',
      sign_type: 'RSA2',
      timestamp: '2021-01-15 12:23:44',
    })
  })

  it('handles an empty query', () => {
    expect(parseReturnParams('')).toEqual({})
  })
})

describe('usePayResult', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('forwards all params and keeps polling every 2 s until paid', async () => {
    orderApi.fetchPayResult
      .mockResolvedValueOnce(pending)
      .mockResolvedValueOnce(pending)
      .mockResolvedValueOnce(paid)
    const result = usePayResult(SEARCH)
    result.start()
    expect(result.state.value).toBe('checking')

    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('pending')
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
    expect(orderApi.fetchPayResult).toHaveBeenCalledWith(parseReturnParams(SEARCH))

    await vi.advanceTimersByTimeAsync(1999)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(2)
    expect(result.state.value).toBe('pending')

    await vi.advanceTimersByTimeAsync(2000)
    expect(result.state.value).toBe('paid')
    expect(result.order.value.trade_no).toBe('2021011522001453300501032429')

    await vi.advanceTimersByTimeAsync(20000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(3) // stopped once paid
  })

  it('gives up after maxAttempts', async () => {
    orderApi.fetchPayResult.mockResolvedValue(pending)
    const result = usePayResult(SEARCH, { interval: 2000, maxAttempts: 30 })
    result.start()

    await vi.advanceTimersByTimeAsync(2000 * 29)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(30)
    expect(result.state.value).toBe('timeout')
    await vi.advanceTimersByTimeAsync(10000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(30)
  })

  it('keeps polling through network errors but stops on a real error', async () => {
    orderApi.fetchPayResult
      .mockRejectedValueOnce(new ApiError('网络错误，请稍后再试', { httpStatus: 0 }))
      .mockRejectedValueOnce(new ApiError('签名错误', { httpStatus: 400, status: 1 }))
    const result = usePayResult(SEARCH)
    result.start()

    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('checking')
    await vi.advanceTimersByTimeAsync(2000)
    expect(result.state.value).toBe('error')
    expect(result.errorMessage.value).toBe('签名错误')
    await vi.advanceTimersByTimeAsync(10000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(2)
  })

  it('shows "cancelled" for cancelled=1 without polling', async () => {
    orderApi.fetchOrder.mockResolvedValue({ status: 0, order: { ...paidOrder, order_status: 0 } })
    const result = usePayResult('?out_trade_no=20210115N1&cancelled=1')
    result.start()
    await vi.advanceTimersByTimeAsync(0)

    expect(result.state.value).toBe('cancelled')
    expect(orderApi.fetchOrder).toHaveBeenCalledWith('20210115N1')
    expect(orderApi.fetchPayResult).not.toHaveBeenCalled()
  })

  it('ends in "refunded" when the paid order had its money given back', async () => {
    orderApi.fetchPayResult.mockResolvedValue({ ...paid, order: { ...paidOrder, refund_amount: '99.00' } })
    const result = usePayResult(SEARCH)
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('refunded')
    await vi.advanceTimersByTimeAsync(10000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
  })

  it('says "refunded" for cancelled=1 when the order was paid and refunded meanwhile', async () => {
    orderApi.fetchOrder.mockResolvedValue({ status: 0, order: { ...paidOrder, refund_amount: '99.00' } })
    const result = usePayResult('?out_trade_no=20210115N1&cancelled=1')
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('refunded')
  })

  it('reports a non-existent order behind cancelled=1 as unknown, which retrying will not fix', async () => {
    orderApi.fetchOrder.mockRejectedValue(new ApiError('订单不存在', { httpStatus: 404, status: 1 }))
    const result = usePayResult('?out_trade_no=ZZZ&cancelled=1')
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('unknown')
    expect(result.errorMessage.value).toBe('订单不存在')
    expect(result.retryable.value).toBe(false)
  })

  it.each([403, 404])('stops polling at once when the order answers %i: unknown', async (httpStatus) => {
    orderApi.fetchPayResult.mockRejectedValue(new ApiError('订单不存在', { httpStatus, status: 1 }))
    const result = usePayResult('?out_trade_no=ZZZ')
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('unknown')
    expect(result.retryable.value).toBe(false)
    await vi.advanceTimersByTimeAsync(10000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
  })

  it.each([2, 3])('stops at once at "closed" for an order closed unpaid (status %i)', async (orderStatus) => {
    orderApi.fetchPayResult.mockResolvedValue({ ...pending, order: { ...pending.order, order_status: orderStatus } })
    const result = usePayResult('?out_trade_no=20210115N1')
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('closed')
    expect(result.order.value.order_status).toBe(orderStatus)
    await vi.advanceTimersByTimeAsync(20000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
  })

  it('keeps polling a closed order when the browser came back from the cashier: the money may come', async () => {
    const closed = { ...pending, order: { ...pending.order, order_status: 2 } }
    orderApi.fetchPayResult.mockResolvedValueOnce(closed).mockResolvedValueOnce(paid)
    const result = usePayResult(SEARCH) // signed return parameters
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('pending')
    await vi.advanceTimersByTimeAsync(2000)
    expect(result.state.value).toBe('paid')
  })

  it('lets a polling error other than 403/404 be retried', async () => {
    orderApi.fetchPayResult.mockRejectedValue(new ApiError('服务器开小差了', { httpStatus: 502 }))
    const result = usePayResult(SEARCH)
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('error')
    expect(result.retryable.value).toBe(true)
  })

  it('reports a missing order number', () => {
    const result = usePayResult('?foo=bar')
    result.start()
    expect(result.state.value).toBe('missing')
    expect(orderApi.fetchPayResult).not.toHaveBeenCalled()
  })
})

describe('usePayResult back from WeChat H5 (via=wechat_h5)', () => {
  const H5_RETURN = '?out_trade_no=W20261204N1&via=wechat_h5'
  const wechatOrder = { ...paidOrder, out_trade_no: 'W20261204N1', pay_type: 2, channel: 'h5' }
  const wechatUnpaid = { status: 1, msg: '暂未收到付款', order: { ...wechatOrder, order_status: 0, trade_no: null } }
  const wechatPaid = { status: 0, msg: '支付成功', order: wechatOrder }

  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  /** The page opened at `search`, once the first poll has answered. */
  async function returnedTo(search = H5_RETURN, options = undefined) {
    const result = usePayResult(search, options)
    result.start()
    await vi.advanceTimersByTimeAsync(0)
    return result
  }

  it('asks the student at once when the first poll says unpaid, and stops polling', async () => {
    orderApi.fetchPayResult.mockResolvedValue(wechatUnpaid)
    const result = usePayResult(H5_RETURN)
    result.start()
    expect(result.state.value).toBe('checking')
    await vi.advanceTimersByTimeAsync(0)

    expect(result.state.value).toBe('confirm')
    expect(result.notFoundYet.value).toBe(false)
    expect(result.order.value.out_trade_no).toBe('W20261204N1') // for 重新支付
    expect(orderApi.fetchPayResult).toHaveBeenCalledWith({ out_trade_no: 'W20261204N1', via: 'wechat_h5' })
    await vi.advanceTimersByTimeAsync(60000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
    expect(result.state.value).toBe('confirm') // never the one-minute 'timeout'
  })

  it('shows paid when the first poll finds the money', async () => {
    orderApi.fetchPayResult.mockResolvedValue(wechatPaid)
    const result = await returnedTo()
    expect(result.state.value).toBe('paid')
  })

  it.each([2, 3])('keeps the final "closed" state for an order closed unpaid (status %i)', async (orderStatus) => {
    orderApi.fetchPayResult.mockResolvedValue({ ...wechatUnpaid, order: { ...wechatUnpaid.order, order_status: orderStatus } })
    const result = await returnedTo()
    expect(result.state.value).toBe('closed')
  })

  it('keeps the final "unknown" state for an order that is not ours', async () => {
    orderApi.fetchPayResult.mockRejectedValue(new ApiError('订单不存在', { httpStatus: 404, status: 1 }))
    const result = await returnedTo()
    expect(result.state.value).toBe('unknown')
  })

  it('已完成支付 polls again now and ends paid when the money arrives', async () => {
    orderApi.fetchPayResult
      .mockResolvedValueOnce(wechatUnpaid)
      .mockResolvedValueOnce(wechatUnpaid)
      .mockResolvedValueOnce(wechatPaid)
    const result = await returnedTo()
    expect(result.state.value).toBe('confirm')

    result.confirmPaid()
    expect(result.state.value).toBe('checking')
    await vi.advanceTimersByTimeAsync(0)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(2) // at once, not after an interval
    expect(result.state.value).toBe('pending') // still polling a while: no question yet
    await vi.advanceTimersByTimeAsync(2000)
    expect(result.state.value).toBe('paid')
  })

  it('已完成支付 without money: polls recheckAttempts times, then asks again saying so', async () => {
    orderApi.fetchPayResult.mockResolvedValue(wechatUnpaid)
    const result = await returnedTo(H5_RETURN, { interval: 2000, recheckAttempts: 5 })
    result.confirmPaid()

    await vi.advanceTimersByTimeAsync(2000 * 3)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(5)
    expect(result.state.value).toBe('pending')
    await vi.advanceTimersByTimeAsync(2000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(6)
    expect(result.state.value).toBe('confirm')
    expect(result.notFoundYet.value).toBe(true)
    await vi.advanceTimersByTimeAsync(60000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(6)

    result.start() // a fresh look (e.g. 重新查询 after an error) asks plainly again
    await vi.advanceTimersByTimeAsync(0)
    expect(result.state.value).toBe('confirm')
    expect(result.notFoundYet.value).toBe(false)
  })

  it('confirmPaid does nothing unless the page is asking', async () => {
    orderApi.fetchPayResult.mockResolvedValue(wechatPaid)
    const result = await returnedTo()
    result.confirmPaid()
    await vi.advanceTimersByTimeAsync(10000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(1)
    expect(result.state.value).toBe('paid')
  })

  it('ignores the marker for an order not paid by WeChat: it keeps polling as before', async () => {
    orderApi.fetchPayResult.mockResolvedValue({ ...wechatUnpaid, order: { ...wechatUnpaid.order, pay_type: 1 } })
    const result = await returnedTo()
    expect(result.state.value).toBe('pending')
    await vi.advanceTimersByTimeAsync(2000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(2)
  })

  it("ignores the marker on Alipay's signed return", async () => {
    orderApi.fetchPayResult.mockResolvedValue({ ...wechatUnpaid, order: { ...wechatUnpaid.order, pay_type: 2 } })
    const result = await returnedTo(`${SEARCH}&via=wechat_h5`)
    expect(result.state.value).toBe('pending')
  })

  it('without the marker a WeChat order is polled as before (the QR dialog hands over this way)', async () => {
    orderApi.fetchPayResult.mockResolvedValue(wechatUnpaid)
    const result = await returnedTo('?out_trade_no=W20261204N1')
    expect(result.state.value).toBe('pending')
    await vi.advanceTimersByTimeAsync(2000)
    expect(orderApi.fetchPayResult).toHaveBeenCalledTimes(2)
  })
})

describe('usePolling', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('backs off and can be stopped', async () => {
    const task = vi.fn().mockResolvedValue(false)
    const polling = usePolling(task, { interval: 1000, backoff: 2, maxInterval: 3000, maxAttempts: 10 })
    polling.start()
    await vi.advanceTimersByTimeAsync(0) // attempt 1
    await vi.advanceTimersByTimeAsync(1000) // attempt 2 after 1 s
    await vi.advanceTimersByTimeAsync(2000) // attempt 3 after 2 s
    await vi.advanceTimersByTimeAsync(3000) // attempt 4 after 3 s (capped)
    expect(task).toHaveBeenCalledTimes(4)

    polling.stop()
    await vi.advanceTimersByTimeAsync(60000)
    expect(task).toHaveBeenCalledTimes(4)
  })
})
