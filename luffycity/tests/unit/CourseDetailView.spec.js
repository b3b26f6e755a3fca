import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
}))
vi.mock('@/api/course', () => ({ fetchCourse: vi.fn(), fetchCourses: vi.fn() }))
vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, createPayment: vi.fn() }))
vi.mock('@/utils/navigation', async (importOriginal) => ({
  ...(await importOriginal()),
  goToExternal: vi.fn(),
}))

const { ElMessage } = await import('element-plus')
const { fetchCourse } = await import('@/api/course')
const { createPayment } = await import('@/api/order')
const { goToExternal } = await import('@/utils/navigation')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
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
