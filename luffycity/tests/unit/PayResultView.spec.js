import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/http'

vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, fetchPayResult: vi.fn(), fetchOrder: vi.fn(), createPayment: vi.fn() }))
vi.mock('@/utils/navigation', async (importOriginal) => ({
  ...(await importOriginal()),
  goToExternal: vi.fn(),
}))

const { fetchPayResult, fetchOrder, createPayment } = await import('@/api/order')
const { goToExternal } = await import('@/utils/navigation')
const { NARROW_QUERY, TOUCH_QUERY } = await import('@/composables/usePayChannel')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
const { default: PayResultView } = await import('@/views/PayResultView.vue')

enableAutoUnmount(afterEach)

const order = {
  out_trade_no: 'N20210115',
  subject: 'Python',
  total_amount: '198.00',
  order_status: 1,
  trade_no: '2021011522001453300501032429',
  pay_time: '2021-01-15T04:23:44Z',
  lines: [
    { course_id: 1, course_name: 'Python', price: '99.00', real_price: '99.00' },
    { course_id: 2, course_name: 'Go', price: '99.00', real_price: '99.00' },
  ],
}

async function mountAt(url) {
  await router.push(url) // also sets window.location.search (history mode)
  const wrapper = mount(PayResultView, { global: { plugins: [router] } })
  await flushPromises()
  return wrapper
}

const text = (wrapper, key) => wrapper.get(`[data-test="${key}"]`).text()

describe('PayResultView', () => {
  beforeEach(() => {
    localStorage.clear()
    const pinia = createPinia()
    setActivePinia(pinia)
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
  })

  it('shows the paid order', async () => {
    fetchPayResult.mockResolvedValue({ status: 0, msg: '支付成功', order })
    const wrapper = await mountAt('/course/paysucess?out_trade_no=N20210115&sign=a%2Bb&trade_no=X')

    expect(fetchPayResult).toHaveBeenCalledWith({ out_trade_no: 'N20210115', sign: 'a+b', trade_no: 'X' })
    expect(text(wrapper, 'pay-result-status')).toBe('支付成功')
    expect(text(wrapper, 'pay-result-out-trade-no')).toBe('N20210115')
    expect(text(wrapper, 'pay-result-trade-no')).toBe('2021011522001453300501032429')
    expect(text(wrapper, 'pay-result-pay-time')).toBe('2021-01-15 12:23:44')
    expect(text(wrapper, 'pay-result-amount')).toBe('¥198.00')
    expect(text(wrapper, 'pay-result-count')).toBe('您已成功购买 2 门课程！')
    expect(text(wrapper, 'pay-result-courses')).toContain('Go')
  })

  it('shows 确认中… while the payment is not confirmed yet', async () => {
    fetchPayResult.mockResolvedValue({ status: 1, msg: '暂未收到付款', order: { ...order, order_status: 0 } })
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115')

    expect(text(wrapper, 'pay-result-status')).toBe('确认中…')
    expect(wrapper.find('[data-test="pay-result-trade-no"]').exists()).toBe(false)
  })

  it('shows 支付已取消 with links to my orders and continue paying', async () => {
    fetchOrder.mockResolvedValue({ status: 0, order: { ...order, order_status: 0, trade_no: null } })
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115&cancelled=1')

    expect(text(wrapper, 'pay-result-status')).toBe('支付已取消')
    expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="pay-result-continue-pay"]').exists()).toBe(true)
    expect(fetchPayResult).not.toHaveBeenCalled()
  })

  it('shows a refunded order as 已退款, without 立即学习', async () => {
    fetchPayResult.mockResolvedValue({
      status: 0,
      msg: '支付成功',
      order: { ...order, refund_amount: '198.00', refund_time: '2021-01-16T02:00:00Z' },
    })
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115')

    expect(text(wrapper, 'pay-result-status')).toBe('已退款')
    expect(text(wrapper, 'pay-result-refund')).toBe('该订单已退款 ¥198.00')
    expect(text(wrapper, 'pay-result-refund-time')).toBe('2021-01-16 10:00:00')
    expect(text(wrapper, 'pay-result-trade-no')).toBe('2021011522001453300501032429')
    expect(wrapper.find('[data-test="start-learning"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="pay-result-count"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
  })

  it('shows which courses of a partly refunded order were refunded, and still 立即学习', async () => {
    const lines = [
      { course_id: 1, course_name: 'Python', price: '99.00', real_price: '99.00', refunded: true },
      { course_id: 2, course_name: 'Go', price: '99.00', real_price: '99.00', refunded: false },
    ]
    fetchPayResult.mockResolvedValue({
      status: 0,
      msg: '支付成功',
      order: { ...order, refund_amount: '99.00', refund_time: '2021-01-16T02:00:00Z', lines },
    })
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115')

    expect(text(wrapper, 'pay-result-status')).toBe('部分退款')
    expect(text(wrapper, 'pay-result-refund')).toBe('该订单已部分退款 ¥99.00')
    expect(text(wrapper, 'pay-result-course-refunded')).toBe('Python（已退款）')
    expect(text(wrapper, 'pay-result-course')).toBe('Go')
    expect(wrapper.find('[data-test="start-learning"]').exists()).toBe(true)
  })

  it('shows a paid order with refund_amount "0.00" as paid', async () => {
    fetchPayResult.mockResolvedValue({ status: 0, msg: '支付成功', order: { ...order, refund_amount: '0.00', refund_time: null } })
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115')
    expect(text(wrapper, 'pay-result-status')).toBe('支付成功')
    expect(wrapper.find('[data-test="start-learning"]').exists()).toBe(true)
  })

  it.each([
    [404, '订单不存在'],
    [403, '无权访问该订单'],
  ])('says the order was not found, not 支付已取消, when the cancelled order answers %i', async (httpStatus, msg) => {
    fetchOrder.mockRejectedValue(new ApiError(msg, { httpStatus, status: 1 }))
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=ZZZ&cancelled=1')

    expect(text(wrapper, 'pay-result-status')).toBe('没有找到这个订单')
    expect(text(wrapper, 'pay-result-unknown')).toContain(msg)
    expect(wrapper.text()).not.toContain('支付已取消')
    expect(wrapper.find('[data-test="pay-result-retry"]').exists()).toBe(false) // asking again will not help
    expect(wrapper.find('[data-test="pay-result-continue-pay"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
  })

  it('says 没有找到这个订单 with ways forward for an unknown order number', async () => {
    fetchPayResult.mockRejectedValue(new ApiError('订单不存在', { httpStatus: 404, status: 1 }))
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=NOPE')

    expect(text(wrapper, 'pay-result-status')).toBe('没有找到这个订单')
    expect(text(wrapper, 'pay-result-unknown')).toBe('订单不存在。请到「我的订单」查看您的订单，或去选购课程。')
    expect(text(wrapper, 'pay-result-browse')).toBe('去选课')
    expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="pay-result-retry"]').exists()).toBe(false)
    expect(wrapper.find('.el-alert').exists()).toBe(false) // not an error: an empty state
  })

  it('still shows a retryable error for a server that cannot answer now', async () => {
    fetchPayResult.mockRejectedValue(new ApiError('服务器内部错误', { httpStatus: 500, status: 1 }))
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115')

    expect(text(wrapper, 'pay-result-status')).toBe('查询支付结果失败')
    expect(wrapper.find('[data-test="pay-result-retry"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="pay-result-browse"]').exists()).toBe(false)
  })

  it('says 缺少订单信息 with ways forward when the link has no order number', async () => {
    const wrapper = await mountAt('/course/paysuccess')

    expect(text(wrapper, 'pay-result-status')).toBe('缺少订单信息')
    expect(text(wrapper, 'pay-result-browse')).toBe('去选课')
    expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
    expect(fetchPayResult).not.toHaveBeenCalled()
  })

  it.each([
    [2, '订单已取消'],
    [3, '订单已超时关闭'],
  ])('stops at once for an order closed unpaid (status %i): %s', async (orderStatus, title) => {
    fetchPayResult.mockResolvedValue({ status: 1, msg: '暂未收到付款', order: { ...order, order_status: orderStatus, trade_no: null } })
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115')

    expect(text(wrapper, 'pay-result-status')).toBe(title)
    expect(wrapper.find('.is-loading').exists()).toBe(false) // no spinner left turning
    expect(text(wrapper, 'pay-result-closed')).toContain('不会扣款')
    expect(text(wrapper, 'pay-result-browse')).toBe('去选课')
    expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="pay-result-continue-pay"]').exists()).toBe(false)
    expect(fetchPayResult).toHaveBeenCalledTimes(1)
  })

  describe('back from WeChat H5 (via=wechat_h5)', () => {
    const H5_RETURN = '/course/paysuccess?out_trade_no=W20261204N1&via=wechat_h5'
    const wechatOrder = { ...order, out_trade_no: 'W20261204N1', pay_type: 2, channel: 'h5' }
    const unpaid = { status: 1, msg: '暂未收到付款', order: { ...wechatOrder, order_status: 0, trade_no: null } }

    afterEach(() => vi.unstubAllGlobals())

    it('asks 请确认微信支付是否已完成 after one unpaid poll, with both ways on and no spinner', async () => {
      fetchPayResult.mockResolvedValue(unpaid)
      const wrapper = await mountAt(H5_RETURN)

      expect(text(wrapper, 'pay-result-status')).toBe('请确认微信支付是否已完成')
      expect(wrapper.get('[data-test="pay-result-status"]').classes()).toContain('pay-result__status--confirm')
      expect(text(wrapper, 'pay-result-confirm')).toContain('已完成支付')
      expect(text(wrapper, 'pay-result-wechat-done')).toBe('已完成支付')
      expect(text(wrapper, 'pay-result-wechat-repay')).toBe('遇到问题，重新支付')
      expect(wrapper.find('.is-loading').exists()).toBe(false)
      expect(wrapper.text()).not.toContain('确认中')
      expect(wrapper.find('[data-test="pay-result-my-orders"]').exists()).toBe(true)
      expect(wrapper.find('[data-test="pay-result-continue-pay"]').exists()).toBe(false)
      expect(fetchPayResult).toHaveBeenCalledTimes(1)
    })

    it('已完成支付 asks again and shows 支付成功 once paid', async () => {
      fetchPayResult.mockResolvedValueOnce(unpaid).mockResolvedValueOnce({ status: 0, msg: '支付成功', order: wechatOrder })
      const wrapper = await mountAt(H5_RETURN)
      await wrapper.get('[data-test="pay-result-wechat-done"]').trigger('click')
      await flushPromises()

      expect(fetchPayResult).toHaveBeenCalledTimes(2)
      expect(text(wrapper, 'pay-result-status')).toBe('支付成功')
      expect(wrapper.find('[data-test="pay-result-wechat-repay"]').exists()).toBe(false)
      expect(wrapper.find('[data-test="start-learning"]').exists()).toBe(true)
    })

    it("遇到问题，重新支付 continues the same order to a fresh h5_url on a phone", async () => {
      const matching = new Set([NARROW_QUERY, TOUCH_QUERY])
      vi.stubGlobal('matchMedia', (query) => ({ matches: matching.has(query), addEventListener() {}, removeEventListener() {} }))
      fetchPayResult.mockResolvedValue(unpaid)
      const h5Url = 'http://127.0.0.1:8002/wechat/h5/W20261204N1?prepay_id=y&redirect_url=x'
      createPayment.mockResolvedValue({ status: 0, out_trade_no: 'W20261204N1', pay_type: 2, channel: 'h5', pay_url: h5Url })
      const wrapper = await mountAt(H5_RETURN)
      await wrapper.get('[data-test="pay-result-wechat-repay"]').trigger('click')
      await flushPromises()

      expect(createPayment).toHaveBeenCalledWith({
        subject: 'Python',
        total_amount: '198.00',
        courses: [1, 2],
        pay_type: 2,
        channel: 'h5',
      })
      expect(goToExternal).toHaveBeenCalledWith(h5Url)
      // Leaving for WeChat: 已完成支付 cannot start a poll under the departing page.
      expect(wrapper.get('[data-test="pay-result-wechat-done"]').attributes('disabled')).toBeDefined()
    })

    it('says so when 已完成支付 still finds no money, and asks again', async () => {
      vi.useFakeTimers()
      try {
        fetchPayResult.mockResolvedValue(unpaid)
        const wrapper = await mountAt(H5_RETURN)
        await wrapper.get('[data-test="pay-result-wechat-done"]').trigger('click')
        await vi.advanceTimersByTimeAsync(0)
        expect(text(wrapper, 'pay-result-status')).toBe('确认中…')
        await vi.advanceTimersByTimeAsync(2000 * 4)
        await flushPromises()

        expect(fetchPayResult).toHaveBeenCalledTimes(6)
        expect(text(wrapper, 'pay-result-status')).toBe('请确认微信支付是否已完成')
        expect(text(wrapper, 'pay-result-confirm')).toContain('暂未查到这笔付款')
        expect(wrapper.find('[data-test="pay-result-wechat-repay"]').exists()).toBe(true)
      } finally {
        vi.useRealTimers()
      }
    })
  })

  it('still says 支付已取消 when the order lookup fails for a network error', async () => {
    fetchOrder.mockRejectedValue(new ApiError('网络错误，请稍后再试', { httpStatus: 0 }))
    const wrapper = await mountAt('/course/paysuccess?out_trade_no=N20210115&cancelled=1')
    expect(text(wrapper, 'pay-result-status')).toBe('支付已取消')
  })
})
