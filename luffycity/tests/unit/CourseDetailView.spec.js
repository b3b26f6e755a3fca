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
const { default: CourseDetailView } = await import('@/views/CourseDetailView.vue')

const course = { id: 3, name: 'Go 语言入门', brief: '...', price: '49.90', level_display: '初级', lessons: 8, teacher: 'Egon' }

async function mountDetail(pinia) {
  await router.push('/course/3')
  const wrapper = mount(CourseDetailView, { props: { id: '3' }, global: { plugins: [router, pinia] } })
  await flushPromises()
  return wrapper
}

enableAutoUnmount(afterEach)

describe('CourseDetailView buy now', () => {
  let pinia

  beforeEach(() => {
    localStorage.clear()
    pinia = createPinia()
    setActivePinia(pinia)
  })

  it('asks a logged-out visitor to log in and comes back here afterwards', async () => {
    fetchCourse.mockResolvedValue({ status: 0, course: { ...course, purchased: false } })
    const wrapper = await mountDetail(pinia)

    await wrapper.get('[data-test="buy-now"]').trigger('click')
    await flushPromises()

    expect(ElMessage.warning).toHaveBeenCalledWith('请先登录')
    expect(createPayment).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'))
    expect(router.currentRoute.value.query.redirect).toBe('/course/3')
  })

  it('creates the order and goes to the pay URL, with the button disabled meanwhile', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourse.mockResolvedValue({ status: 0, course: { ...course, purchased: false } })
    let answer
    createPayment.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const wrapper = await mountDetail(pinia)

    await wrapper.get('[data-test="buy-now"]').trigger('click')
    expect(createPayment).toHaveBeenCalledWith({ subject: 'Go 语言入门', total_amount: '49.90', courses: [3], pay_type: 1, channel: 'page' })
    expect(wrapper.get('[data-test="buy-now"]').attributes('disabled')).toBeDefined()

    answer({ status: 0, out_trade_no: 'N1', pay_url: 'http://127.0.0.1:8001/gateway.do?x=1' })
    await flushPromises()
    expect(goToExternal).toHaveBeenCalledWith('http://127.0.0.1:8001/gateway.do?x=1')
  })

  it('shows the server message when buying fails and re-enables the button', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourse.mockResolvedValue({ status: 0, course: { ...course, purchased: false } })
    createPayment.mockRejectedValue(new Error('您已购买过该课程'))
    const wrapper = await mountDetail(pinia)

    await wrapper.get('[data-test="buy-now"]').trigger('click')
    await flushPromises()

    expect(ElMessage.error).toHaveBeenCalledWith('您已购买过该课程')
    expect(goToExternal).not.toHaveBeenCalled()
    expect(wrapper.get('[data-test="buy-now"]').attributes('disabled')).toBeUndefined()
  })

  it('shows 已购买 and 开始学习 instead of buying for an owned course', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourse.mockResolvedValue({ status: 0, course: { ...course, purchased: true } })
    const wrapper = await mountDetail(pinia)

    expect(wrapper.get('[data-test="purchased"]').text()).toBe('已购买')
    expect(wrapper.find('[data-test="buy-now"]').exists()).toBe(false)
    await wrapper.get('[data-test="start-learning"]').trigger('click')
    await flushPromises()
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('my-courses'))
  })

  it('shows a not-found state for an unknown course', async () => {
    fetchCourse.mockRejectedValue(Object.assign(new Error('课程不存在'), { httpStatus: 404 }))
    const wrapper = await mountDetail(pinia)
    expect(wrapper.text()).toContain('课程不存在或已下架')
  })
})

// The pay methods the shop takes (GET /api/order/pay-methods/) decide what the page offers:
// only those, the remembered one only if among them, no picker for a single one.
const ALIPAY = { pay_type: 1, provider: 'alipay', name: '支付宝', channels: ['page', 'wap'] }
const WECHAT = { pay_type: 2, provider: 'wechat', name: '微信支付', channels: ['native', 'h5'] }
const shopTakes = (...methods) => fetchPayMethods.mockResolvedValue({ status: 0, msg: 'ok', methods })

const shownMethods = (wrapper) =>
  wrapper.findAll('[data-test^="pay-method-"]').map((option) => option.text())

describe('the pay methods on the course page', () => {
  let pinia

  beforeEach(() => {
    localStorage.clear()
    pinia = createPinia()
    setActivePinia(pinia)
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourse.mockResolvedValue({ status: 0, course: { ...course, purchased: false } })
    createPayment.mockResolvedValue({ status: 0, out_trade_no: 'A1', pay_url: 'http://alipay/page' })
  })

  it('offers both, in the shop\'s order, when the shop takes both', async () => {
    shopTakes(WECHAT, ALIPAY)
    const wrapper = await mountDetail(pinia)
    expect(shownMethods(wrapper)).toEqual(['微信支付', '支付宝'])
    expect(fetchPayMethods).toHaveBeenCalledTimes(1) // the picker and buy-now share one read
  })

  it('offers no 微信支付 and no picker when the shop takes Alipay alone, and pays with Alipay', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat') // remembered from an earlier visit
    shopTakes(ALIPAY)
    const wrapper = await mountDetail(pinia)
    expect(wrapper.find('[data-test="pay-method"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('微信支付')

    await wrapper.get('[data-test="buy-now"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenCalledWith(expect.objectContaining({ pay_type: 1, channel: 'page' }))
    expect(goToExternal).toHaveBeenCalledWith('http://alipay/page')
    // The remembered choice is kept for when the shop takes WeChat Pay again.
    expect(localStorage.getItem(PAY_METHOD_STORAGE_KEY)).toBe('wechat')
  })

  it('uses the remembered method when the shop takes it', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    shopTakes(ALIPAY, WECHAT)
    const wrapper = await mountDetail(pinia)
    expect(wrapper.get('[data-test="pay-method-wechat"]').classes()).toContain('is-active')
  })

  it('with WeChat Pay alone, pays with it and shows no picker', async () => {
    shopTakes(WECHAT)
    createPayment.mockResolvedValue({ status: 0, out_trade_no: 'W1', pay_type: 2, channel: 'native', code_url: 'weixin://x', pay_url: 'weixin://x' })
    const wrapper = await mountDetail(pinia)
    expect(wrapper.find('[data-test="pay-method"]').exists()).toBe(false)
    await wrapper.get('[data-test="buy-now"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenCalledWith(expect.objectContaining({ pay_type: 2, channel: 'native' }))
  })

  it('shows no picker until the shop has answered', async () => {
    let answer
    fetchPayMethods.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const wrapper = await mountDetail(pinia)
    expect(wrapper.find('[data-test="buy-now"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="pay-method"]').exists()).toBe(false)

    answer({ status: 0, methods: [ALIPAY, WECHAT] })
    await flushPromises()
    expect(shownMethods(wrapper)).toEqual(['支付宝', '微信支付'])
  })

  it('offers every method when the list cannot be read, and still takes a 400 gracefully', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    fetchPayMethods.mockRejectedValue(new ApiError('网络错误，请稍后再试', { httpStatus: 0 }))
    createPayment.mockRejectedValueOnce(
      new ApiError('pay_type: 不支持的支付方式', { httpStatus: 400, status: 1, errors: { pay_type: ['不支持的支付方式'] } }),
    )
    const wrapper = await mountDetail(pinia)
    expect(shownMethods(wrapper)).toEqual(['支付宝', '微信支付'])

    await wrapper.get('[data-test="buy-now"]').trigger('click')
    await flushPromises()
    expect(ElMessage.error).toHaveBeenCalledWith('微信支付暂不可用，请选择其他支付方式')
    expect(wrapper.get('[data-test="pay-method-wechat"]').classes()).toContain('is-disabled')
    expect(usePayMethodStore().method).toBe('alipay')

    await wrapper.get('[data-test="buy-now"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenLastCalledWith(expect.objectContaining({ pay_type: 1 }))
  })
})
