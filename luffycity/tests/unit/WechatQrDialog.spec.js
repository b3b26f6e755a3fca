import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { info: vi.fn(), warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
}))
vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, fetchPayResult: vi.fn() }))

const { ElMessage } = await import('element-plus')
const { fetchPayResult } = await import('@/api/order')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
const { default: WechatQrDialog } = await import('@/components/WechatQrDialog.vue')
const { qrSvgDataUrl } = await import('@/utils/qrCode')

const NOW = new Date('2026-12-04T12:00:00Z')
const payment = {
  out_trade_no: 'W20261204001',
  pay_url: '',
  code_url: 'weixin://wxpay/bizpayurl?pr=abc123',
  pay_type: 2,
  channel: 'native',
  total_amount: '149.50',
  expire_time: '2026-12-04T20:15:00+08:00', // 15 minutes from NOW
}

const $ = (selector) => document.body.querySelector(selector)

async function mountDialog(props = {}) {
  const pinia = createPinia()
  setActivePinia(pinia)
  useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
  await router.push('/course/3')
  const wrapper = mount(WechatQrDialog, {
    props: { payment, ...props },
    attachTo: document.body,
    // The real <transition>: el-dialog emits "close" from its leave hook.
    global: { plugins: [router, pinia], stubs: { transition: false } },
  })
  await vi.advanceTimersByTimeAsync(0)
  await flushPromises()
  return wrapper
}

enableAutoUnmount(afterEach)

describe('WechatQrDialog', () => {
  beforeEach(() => {
    localStorage.clear()
    vi.useFakeTimers({ shouldAdvanceTime: true })
    vi.setSystemTime(NOW)
  })
  afterEach(() => vi.useRealTimers())

  it('draws the code_url as a QR image, with the amount and a countdown to time_expire', async () => {
    fetchPayResult.mockResolvedValue({ status: 1, msg: '暂未收到付款' })
    await mountDialog()

    expect($('[data-test="wechat-qr-amount"]').textContent).toBe('¥149.50')
    const img = $('[data-test="wechat-qr-image"]')
    expect(img.getAttribute('src')).toBe(await qrSvgDataUrl(payment.code_url))
    expect(img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,/)
    expect($('[data-test="wechat-qr-countdown"]').textContent).toMatch(/^1[45]:\d\d$/)
    expect(fetchPayResult).toHaveBeenCalledWith({ out_trade_no: 'W20261204001' })
  })

  it('goes to the pay result page once the scan is paid', async () => {
    fetchPayResult
      .mockResolvedValueOnce({ status: 1, msg: '暂未收到付款' })
      .mockResolvedValueOnce({ status: 0, order: { out_trade_no: payment.out_trade_no } })
    const wrapper = await mountDialog()

    await vi.advanceTimersByTimeAsync(2000)
    await flushPromises()
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('pay-result'))
    expect(router.currentRoute.value.query).toEqual({ out_trade_no: 'W20261204001' })
    expect(wrapper.emitted('close')).toHaveLength(1)
  })

  it('stops polling and says so when the code has expired', async () => {
    fetchPayResult.mockResolvedValue({ status: 1, msg: '暂未收到付款' })
    await mountDialog({ payment: { ...payment, expire_time: '2026-12-04T20:00:03+08:00' } })
    expect(fetchPayResult).toHaveBeenCalledTimes(1)

    await vi.advanceTimersByTimeAsync(3000)
    await flushPromises()
    expect($('[data-test="wechat-qr-expired"]').textContent).toContain('二维码已过期')
    expect($('[data-test="wechat-qr-countdown"]')).toBeNull()
    const calls = fetchPayResult.mock.calls.length
    await vi.advanceTimersByTimeAsync(20_000)
    expect(fetchPayResult).toHaveBeenCalledTimes(calls)
  })

  it('shows a final poll error, and 我已支付 goes to the result page anyway', async () => {
    fetchPayResult.mockRejectedValue(Object.assign(new Error('订单不存在'), { httpStatus: 404 }))
    const wrapper = await mountDialog()
    expect($('[data-test="wechat-qr-error"]').textContent).toBe('订单不存在')

    $('[data-test="wechat-qr-check"]').click()
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('pay-result'))
    expect(wrapper.emitted('close')).toHaveLength(1)
  })

  it('closed by the student: stops polling and says the order can still be paid', async () => {
    fetchPayResult.mockResolvedValue({ status: 1, msg: '暂未收到付款' })
    const wrapper = await mountDialog()
    expect(fetchPayResult).toHaveBeenCalledTimes(1)

    $('.el-dialog__headerbtn').click()
    await flushPromises()
    expect(wrapper.emitted('close')).toHaveLength(1)
    expect(ElMessage.info).toHaveBeenCalledWith('订单尚未支付，可在「我的订单」中继续支付')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fetchPayResult).toHaveBeenCalledTimes(1)
    expect(router.currentRoute.value.name).toBe('course-detail')
  })
})
