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
const { fetchCourses } = await import('@/api/course')
const { createPayment, fetchPayMethods } = await import('@/api/order')
const { goToExternal } = await import('@/utils/navigation')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
const { PAY_METHOD_STORAGE_KEY } = await import('@/stores/payMethod')
const { usePayDialogStore } = await import('@/stores/payDialog')
const { default: CourseListView } = await import('@/views/CourseListView.vue')

enableAutoUnmount(afterEach)

const python = { id: 1, name: 'Python 全栈开发入门', brief: '..', price: '99.00', lessons: 10, teacher: 'Alex' }
const vue = { id: 2, name: 'Vue 3 前端工程化', brief: '..', price: '149.50', lessons: 8, teacher: 'Lqz' }
const go = { id: 3, name: 'Go 语言入门', brief: '..', price: '0.10', lessons: 5, teacher: 'Egon', purchased: true }
const page = (results, extra = {}) => ({ status: 0, count: results.length, next: null, previous: null, results, ...extra })

async function mountList(url = '/courses') {
  await router.push(url)
  const wrapper = mount(CourseListView, { global: { plugins: [router] } })
  await flushPromises()
  return wrapper
}

const card = (wrapper, id) => wrapper.get(`[data-test="course-card"][data-course-id="${id}"]`)
const select = (wrapper, id) => card(wrapper, id).get('[data-test="course-select"] input').setValue(true)

describe('CourseListView', () => {
  beforeEach(() => {
    localStorage.clear()
    sessionStorage.clear()
    setActivePinia(createPinia())
  })

  it('shows 已购买 and 开始学习 instead of buying and selecting an owned course', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourses.mockResolvedValue(page([python, go]))
    const wrapper = await mountList()

    const owned = card(wrapper, 3)
    expect(owned.get('[data-test="purchased"]').text()).toBe('已购买')
    expect(owned.find('[data-test="buy-now"]').exists()).toBe(false)
    expect(owned.find('[data-test="course-select"]').exists()).toBe(false)
    await owned.get('[data-test="start-learning"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('my-courses'))
  })

  it('treats a course without `purchased` as not owned', async () => {
    fetchCourses.mockResolvedValue(page([python]))
    const wrapper = await mountList()
    expect(card(wrapper, 1).find('[data-test="purchased"]').exists()).toBe(false)
    expect(card(wrapper, 1).find('[data-test="buy-now"]').exists()).toBe(true)
    expect(card(wrapper, 1).find('[data-test="course-select"]').exists()).toBe(true)
  })

  it('buys the selected courses together, totalled in cents', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourses.mockResolvedValue(page([python, vue, go]))
    createPayment.mockResolvedValue({ status: 0, out_trade_no: 'N1', pay_url: 'http://pay/x' })
    const wrapper = await mountList()
    expect(wrapper.find('[data-test="checkout"]').exists()).toBe(false) // nothing selected yet

    await select(wrapper, 1)
    await select(wrapper, 2)
    expect(wrapper.get('[data-test="selection-bar"]').text()).toContain('已选 2 门')
    expect(wrapper.get('[data-test="selection-total"]').text()).toBe('¥248.50')

    await wrapper.get('[data-test="checkout"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenCalledWith({
      subject: 'Python 全栈开发入门 等2门课程',
      total_amount: '248.50',
      courses: [1, 2],
      pay_type: 1,
      channel: 'page',
    })
    expect(goToExternal).toHaveBeenCalledWith('http://pay/x')
  })

  it('pays for the cart with the method chosen in the selection bar, remembered', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourses.mockResolvedValue(page([python, vue]))
    const answer = { status: 0, out_trade_no: 'W1', code_url: 'weixin://x', channel: 'native', total_amount: '248.50' }
    createPayment.mockResolvedValue(answer)
    const wrapper = await mountList()
    await select(wrapper, 1)
    await select(wrapper, 2)

    const bar = wrapper.get('[data-test="selection-bar"]')
    await bar.get('[data-test="pay-method-wechat"] input').setValue(true)
    await bar.get('[data-test="checkout"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenCalledWith({
      subject: 'Python 全栈开发入门 等2门课程',
      total_amount: '248.50',
      courses: [1, 2],
      pay_type: 2,
      channel: 'native',
    })
    expect(usePayDialogStore().qrPayment).toEqual(answer)
    expect(localStorage.getItem(PAY_METHOD_STORAGE_KEY)).toBe('wechat')
  })

  it('offers no picker in the selection bar when the shop takes Alipay alone, and pays with it', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    fetchPayMethods.mockResolvedValue({
      status: 0,
      methods: [{ pay_type: 1, provider: 'alipay', name: '支付宝', channels: ['page', 'wap'] }],
    })
    fetchCourses.mockResolvedValue(page([python, vue]))
    createPayment.mockResolvedValue({ status: 0, out_trade_no: 'A1', pay_url: 'http://pay/x' })
    const wrapper = await mountList()
    await select(wrapper, 1)

    const bar = wrapper.get('[data-test="selection-bar"]')
    expect(bar.find('[data-test="pay-method"]').exists()).toBe(false)
    await bar.get('[data-test="checkout"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenCalledWith(expect.objectContaining({ pay_type: 1, channel: 'page' }))
    expect(goToExternal).toHaveBeenCalledWith('http://pay/x')
  })

  it('unselecting removes a course from the bar; 立即购买 still buys one course', async () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    fetchCourses.mockResolvedValue(page([python, vue]))
    createPayment.mockResolvedValue({ status: 0, out_trade_no: 'N1', pay_url: 'http://pay/y' })
    const wrapper = await mountList()

    await select(wrapper, 1)
    await select(wrapper, 2)
    await card(wrapper, 1).get('[data-test="course-select"] input').setValue(false)
    expect(wrapper.get('[data-test="selection-total"]').text()).toBe('¥149.50')

    await card(wrapper, 1).get('[data-test="buy-now"]').trigger('click')
    await flushPromises()
    expect(createPayment).toHaveBeenCalledWith({
      subject: 'Python 全栈开发入门',
      total_amount: '99.00',
      courses: [1],
      pay_type: 1,
      channel: 'page',
    })
  })

  it('asks a logged-out visitor to log in before checking out, keeping the selection', async () => {
    fetchCourses.mockResolvedValue(page([python, vue]))
    const wrapper = await mountList()
    await select(wrapper, 2)

    await wrapper.get('[data-test="checkout"]').trigger('click')
    await flushPromises()
    expect(ElMessage.warning).toHaveBeenCalledWith('请先登录')
    expect(createPayment).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'))
    expect(router.currentRoute.value.query.redirect).toBe('/courses')
    expect(JSON.parse(sessionStorage.getItem('luffy.selection'))).toEqual([
      { id: 2, name: 'Vue 3 前端工程化', price: '149.50' },
    ])
  })

  it('drops a selected course once the list says it is owned', async () => {
    sessionStorage.setItem('luffy.selection', JSON.stringify([{ id: 3, name: 'Go 语言入门', price: '0.10' }]))
    fetchCourses.mockResolvedValue(page([python, go]))
    const wrapper = await mountList()
    expect(wrapper.find('[data-test="selection-bar"]').exists()).toBe(false)
  })

  it('says 暂无课程 when nothing is on sale', async () => {
    fetchCourses.mockResolvedValue(page([]))
    const wrapper = await mountList()
    expect(wrapper.text()).toContain('暂无课程')
    expect(wrapper.find('[data-test="course-card"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="load-error"]').exists()).toBe(false)
  })

  it('goes to page 1 instead of an error for a page past the end', async () => {
    fetchCourses.mockImplementation(({ page: n }) =>
      n === 1 ? Promise.resolve(page([python])) : Promise.reject(new ApiError('无效页面。', { httpStatus: 404 })),
    )
    const wrapper = await mountList('/courses?page=9')
    await flushPromises()

    expect(router.currentRoute.value.fullPath).toBe('/courses')
    expect(fetchCourses.mock.calls.map(([args]) => args.page)).toEqual([9, 1])
    expect(wrapper.find('[data-test="load-error"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-test="course-card"]')).toHaveLength(1)
  })

  it('still shows the error (with 重试) for other failures', async () => {
    fetchCourses.mockRejectedValue(new ApiError('服务器开小差了，请稍后再试', { httpStatus: 500 }))
    const wrapper = await mountList('/courses?page=2')
    expect(router.currentRoute.value.fullPath).toBe('/courses?page=2')
    expect(wrapper.get('[data-test="load-error"]').text()).toContain('服务器开小差了')
  })
})
