// Buying with WeChat Pay from the course page: QR dialog on a desktop, H5 on a phone, and the
// notice inside WeChat's own browser. The choice of method is remembered.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/http'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
}))
vi.mock('@/api/course', () => ({ fetchCourse: vi.fn(), fetchCourses: vi.fn() }))
vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, createPayment: vi.fn(), fetchPayMethods: vi.fn() }))
vi.mock('@/utils/navigation', async (importOriginal) => ({
  ...(await importOriginal()),
  goToExternal: vi.fn(),
}))

const { ElMessage } = await import('element-plus')
const { fetchCourse } = await import('@/api/course')
const { createPayment, fetchPayMethods } = await import('@/api/order')
const { goToExternal } = await import('@/utils/navigation')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
const { PAY_METHOD_STORAGE_KEY, usePayMethodStore } = await import('@/stores/payMethod')
const { usePayDialogStore } = await import('@/stores/payDialog')
const { NARROW_QUERY, TOUCH_QUERY } = await import('@/composables/usePayChannel')
const { default: CourseDetailView } = await import('@/views/CourseDetailView.vue')

const course = { id: 3, name: 'Go 语言入门', brief: '...', price: '49.90', level_display: '初级', lessons: 8, teacher: 'Egon', purchased: false }
const IPHONE_WECHAT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN'
const nativeAnswer = {
  status: 0,
  out_trade_no: 'W1',
  pay_url: '',
  code_url: 'http://127.0.0.1:8002/wechat/native/W1',
  pay_type: 2,
  channel: 'native',
  expire_time: '2026-12-04T20:15:00+08:00',
  total_amount: '49.90',
}

function phone() {
  const matching = new Set([NARROW_QUERY, TOUCH_QUERY])
  vi.stubGlobal('matchMedia', (query) => ({
    matches: matching.has(query),
    addEventListener: () => {},
    removeEventListener: () => {},
  }))
}

async function mountDetail(pinia) {
  await router.push('/course/3')
  const wrapper = mount(CourseDetailView, { props: { id: '3' }, global: { plugins: [router, pinia] } })
  await flushPromises()
  return wrapper
}

async function buy(wrapper) {
  await wrapper.get('[data-test="buy-now"]').trigger('click')
  await flushPromises()
}

enableAutoUnmount(afterEach)

describe('buying with WeChat Pay', () => {
  let pinia

  beforeEach(() => {
    localStorage.clear()
    pinia = createPinia()
    setActivePinia(pinia)
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourse.mockResolvedValue({ status: 0, course })
    fetchPayMethods.mockResolvedValue({
      status: 0,
      methods: [
        { pay_type: 1, provider: 'alipay', name: '支付宝', channels: ['page', 'wap'] },
        { pay_type: 2, provider: 'wechat', name: '微信支付', channels: ['native', 'h5'] },
      ],
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('offers 支付宝 and 微信支付 and remembers the choice', async () => {
    const wrapper = await mountDetail(pinia)
    const alipay = wrapper.get('[data-test="pay-method-alipay"]')
    const wechat = wrapper.get('[data-test="pay-method-wechat"]')
    expect(alipay.text()).toBe('支付宝')
    expect(wechat.text()).toBe('微信支付')
    expect(alipay.classes()).toContain('is-active')

    await wechat.get('input').setValue(true)
    expect(usePayMethodStore().method).toBe('wechat')
    await flushPromises()
    expect(localStorage.getItem(PAY_METHOD_STORAGE_KEY)).toBe('wechat')
    expect(wrapper.get('[data-test="pay-method-wechat"]').classes()).toContain('is-active')
  })

  it('on a desktop asks for a native order and opens the QR dialog with the answer', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    createPayment.mockResolvedValue(nativeAnswer)
    const wrapper = await mountDetail(pinia)
    await buy(wrapper)

    expect(createPayment).toHaveBeenCalledWith({
      subject: 'Go 语言入门', total_amount: '49.90', courses: [3], pay_type: 2, channel: 'native',
    })
    expect(usePayDialogStore().qrPayment).toEqual(nativeAnswer)
    expect(goToExternal).not.toHaveBeenCalled()
    // The button is free again: the dialog is the page's business now.
    expect(wrapper.get('[data-test="buy-now"]').attributes('disabled')).toBeUndefined()
  })

  it('refuses a native answer without a code_url', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    createPayment.mockResolvedValue({ ...nativeAnswer, code_url: undefined })
    await buy(await mountDetail(pinia))
    expect(ElMessage.error).toHaveBeenCalledWith('未获取到支付二维码，请稍后再试')
    expect(usePayDialogStore().qrPayment).toBeNull()
  })

  it("on a phone asks for an H5 order and goes to WeChat's page", async () => {
    phone()
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    const h5Url = 'http://127.0.0.1:8002/wechat/h5/W2?prepay_id=x&redirect_url=http%3A%2F%2Fshop%2Fcourse%2Fpaysuccess'
    createPayment.mockResolvedValue({ ...nativeAnswer, out_trade_no: 'W2', code_url: undefined, channel: 'h5', pay_url: h5Url })
    await buy(await mountDetail(pinia))

    expect(createPayment).toHaveBeenCalledWith(expect.objectContaining({ pay_type: 2, channel: 'h5' }))
    expect(goToExternal).toHaveBeenCalledWith(h5Url)
    expect(usePayDialogStore().qrPayment).toBeNull()
  })

  it("inside WeChat's browser on a phone explains instead of ordering, and offers Alipay", async () => {
    phone()
    vi.stubGlobal('navigator', { ...navigator, userAgent: IPHONE_WECHAT, maxTouchPoints: 5 })
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    await buy(await mountDetail(pinia))

    expect(createPayment).not.toHaveBeenCalled()
    const dialogs = usePayDialogStore()
    expect(dialogs.wechatBrowser).not.toBeNull()

    createPayment.mockResolvedValue({ status: 0, out_trade_no: 'A1', pay_url: 'http://alipay/wap' })
    await dialogs.wechatBrowser.payWithAlipay()
    expect(createPayment).toHaveBeenCalledWith(expect.objectContaining({ pay_type: 1, channel: 'wap' }))
    expect(goToExternal).toHaveBeenCalledWith('http://alipay/wap')
    expect(usePayMethodStore().method).toBe('alipay') // and that is remembered
  })

  it('keeps the QR dialog inside WeChat on a desktop (WeChat for Windows)', async () => {
    vi.stubGlobal('navigator', { ...navigator, userAgent: 'Mozilla/5.0 (Windows NT 10.0) MicroMessenger/7.0 WindowsWechat' })
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    createPayment.mockResolvedValue(nativeAnswer)
    await buy(await mountDetail(pinia))
    expect(usePayDialogStore().qrPayment).toEqual(nativeAnswer)
  })

  it('tells the student when the backend has WeChat Pay switched off, and stops offering it', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    createPayment.mockRejectedValue(
      new ApiError('pay_type: 不支持的支付方式', { httpStatus: 400, status: 1, errors: { pay_type: ['不支持的支付方式'] } }),
    )
    const wrapper = await mountDetail(pinia)
    await buy(wrapper)

    expect(ElMessage.error).toHaveBeenCalledWith('微信支付暂不可用，请选择其他支付方式')
    expect(usePayMethodStore().method).toBe('alipay')
    expect(wrapper.get('[data-test="pay-method-wechat"]').classes()).toContain('is-disabled')
    expect(wrapper.get('[data-test="buy-now"]').attributes('disabled')).toBeUndefined()
  })

  it('shows any other 400 as it is', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    createPayment.mockRejectedValue(new ApiError('订单金额有误', { httpStatus: 400, errors: { total_amount: ['x'] } }))
    await buy(await mountDetail(pinia))
    expect(ElMessage.error).toHaveBeenCalledWith('订单金额有误')
    expect(usePayMethodStore().isAvailable('wechat')).toBe(true)
  })
})
