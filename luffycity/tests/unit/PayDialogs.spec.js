// App.vue shows the payment dialogs of usePayDialogStore over any page, loading them lazily.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
}))
vi.mock('@/api/course', () => ({ fetchCourse: vi.fn(), fetchCourses: vi.fn() }))
vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, fetchPayResult: vi.fn() }))

const { ElMessage } = await import('element-plus')
const { fetchCourses } = await import('@/api/course')
const { fetchPayResult } = await import('@/api/order')
const { default: router } = await import('@/router')
const { usePayDialogStore } = await import('@/stores/payDialog')
const { usePayMethodStore } = await import('@/stores/payMethod')
const { default: App } = await import('@/App.vue')

const $ = (selector) => document.body.querySelector(selector)
const until = (selector) => vi.waitFor(() => expect($(selector)).not.toBeNull())

async function mountApp() {
  const pinia = createPinia()
  setActivePinia(pinia)
  await router.push('/courses')
  const wrapper = mount(App, { attachTo: document.body, global: { plugins: [router, pinia] } })
  await flushPromises()
  return wrapper
}

enableAutoUnmount(afterEach)

describe('the payment dialogs', () => {
  beforeEach(() => {
    localStorage.clear()
    fetchCourses.mockResolvedValue({ status: 0, count: 0, results: [] })
    fetchPayResult.mockResolvedValue({ status: 1, msg: '暂未收到付款' })
  })
  afterEach(() => vi.unstubAllGlobals())

  it('opens the QR dialog for a native payment and closes it when the page changes', async () => {
    await mountApp()
    expect($('[data-test="wechat-qr-dialog"]')).toBeNull()
    usePayDialogStore().showQr({ out_trade_no: 'W1', code_url: 'weixin://x', total_amount: '9.90', expire_time: '' })
    await until('[data-test="wechat-qr-image"]')
    expect($('[data-test="wechat-qr-amount"]').textContent).toBe('¥9.90')

    await router.push('/my/orders')
    await flushPromises()
    expect(usePayDialogStore().qrPayment).toBeNull()
  })

  it('the in-WeChat notice explains, pays with Alipay on request and closes', async () => {
    await mountApp()
    const payWithAlipay = vi.fn()
    usePayDialogStore().showWechatBrowserNotice({ payWithAlipay })
    await until('[data-test="wechat-browser-notice"]')
    expect($('[data-test="wechat-browser-notice"]').textContent).toContain('微信内置浏览器不支持微信 H5 支付')
    expect($('[data-test="wechat-browser-notice"]').textContent).toContain('在浏览器打开')

    $('[data-test="wechat-browser-alipay"]').click()
    await flushPromises()
    expect(payWithAlipay).toHaveBeenCalledTimes(1)
    expect(usePayDialogStore().wechatBrowser).toBeNull()
  })

  it('the in-WeChat notice offers no Alipay where the shop does not take it', async () => {
    await mountApp()
    usePayMethodStore().enabled = ['wechat']
    usePayDialogStore().showWechatBrowserNotice({ payWithAlipay: vi.fn() })
    await until('[data-test="wechat-browser-notice"]')
    expect($('[data-test="wechat-browser-notice"]').textContent).toContain('在浏览器打开')
    expect($('[data-test="wechat-browser-notice"]').textContent).not.toContain('支付宝')
    expect($('[data-test="wechat-browser-alipay"]')).toBeNull()
    expect($('[data-test="wechat-browser-copy"]')).not.toBeNull()
  })

  it('copies the page link for the system browser, or shows it where copying fails', async () => {
    const writeText = vi.fn().mockResolvedValue()
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    await mountApp()
    usePayDialogStore().showWechatBrowserNotice({ payWithAlipay: vi.fn() })
    await until('[data-test="wechat-browser-copy"]')

    $('[data-test="wechat-browser-copy"]').click()
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(window.location.href)
    expect(ElMessage.success).toHaveBeenCalledWith('链接已复制，请在手机浏览器中打开')

    writeText.mockRejectedValue(new Error('denied'))
    $('[data-test="wechat-browser-copy"]').click()
    await until('[data-test="wechat-browser-link"]')
    const field = $('[data-test="wechat-browser-link"]')
    const input = field.matches('input') ? field : field.querySelector('input')
    expect(input.value).toBe(window.location.href)
    expect(input.readOnly).toBe(true)
  })
})
