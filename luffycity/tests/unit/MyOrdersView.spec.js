import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
  ElMessageBox: { confirm: vi.fn() },
}))
vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, fetchOrders: vi.fn(), cancelOrder: vi.fn(), createPayment: vi.fn(), fetchPayMethods: vi.fn() }))
vi.mock('@/utils/navigation', async (importOriginal) => ({
  ...(await importOriginal()),
  goToExternal: vi.fn(),
}))

const { ElMessage, ElMessageBox } = await import('element-plus')
const orderApi = await import('@/api/order')
const { goToExternal } = await import('@/utils/navigation')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
const { usePayDialogStore } = await import('@/stores/payDialog')
const { default: MyOrdersView } = await import('@/views/MyOrdersView.vue')

enableAutoUnmount(afterEach)

const unpaid = {
  out_trade_no: 'N2',
  subject: 'Python 等 2 门课程',
  total_amount: '148.90',
  order_status: 0,
  order_status_display: '未支付',
  pay_time: null,
  created_time: '2030-01-01T10:00:00+08:00',
  expire_time: '2999-01-01T10:30:00+08:00',
  lines: [
    { course_id: 1, course_name: 'Python', price: '99.00', real_price: '99.00' },
    { course_id: 3, course_name: 'Go', price: '49.90', real_price: '49.90' },
  ],
}
const page = (results) => ({ status: 0, count: results.length, next: null, previous: null, results })

async function mountOrders() {
  await router.push('/my/orders')
  const wrapper = mount(MyOrdersView, { global: { plugins: [router] } })
  await flushPromises()
  return wrapper
}

describe('MyOrdersView', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
  })

  it('shows a new student 还没有订单 and a way to the courses', async () => {
    orderApi.fetchOrders.mockResolvedValue(page([]))
    const wrapper = await mountOrders()

    expect(wrapper.text()).toContain('还没有订单')
    expect(wrapper.find('[data-test="order-row"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="load-error"]').exists()).toBe(false)
    expect(wrapper.find('.el-pagination').exists()).toBe(false)
    const push = vi.spyOn(router, 'push').mockResolvedValue()
    await wrapper.findAll('button').find((b) => b.text() === '去选课').trigger('click')
    expect(push).toHaveBeenCalledWith('/courses')
  })

  it('lists orders with their status', async () => {
    orderApi.fetchOrders.mockResolvedValue(page([unpaid]))
    const wrapper = await mountOrders()
    const rows = wrapper.findAll('[data-test="order-row"]')
    expect(rows).toHaveLength(1)
    expect(rows[0].get('[data-test="order-status"]').text()).toBe('未支付')
    expect(orderApi.fetchOrders).toHaveBeenCalledWith({ page: 1 })
  })

  it('continues paying with the order subject, total and course ids', async () => {
    orderApi.fetchOrders.mockResolvedValue(page([unpaid]))
    orderApi.createPayment.mockResolvedValue({ status: 0, out_trade_no: 'N2', pay_url: 'http://pay/x' })
    const wrapper = await mountOrders()

    await wrapper.get('[data-test="order-continue-pay"]').trigger('click')
    await flushPromises()

    expect(orderApi.createPayment).toHaveBeenCalledWith({
      subject: 'Python 等 2 门课程',
      total_amount: '148.90',
      courses: [1, 3],
      pay_type: 1,
      channel: 'page',
    })
    expect(goToExternal).toHaveBeenCalledWith('http://pay/x')
  })

  it('continues a WeChat order with WeChat, whatever the remembered choice', async () => {
    orderApi.fetchOrders.mockResolvedValue(page([{ ...unpaid, pay_type: 2 }]))
    const answer = { status: 0, out_trade_no: 'N2', code_url: 'weixin://x', channel: 'native', total_amount: '148.90' }
    orderApi.createPayment.mockResolvedValue(answer)
    const wrapper = await mountOrders()

    await wrapper.get('[data-test="order-continue-pay"]').trigger('click')
    await flushPromises()
    expect(orderApi.createPayment).toHaveBeenCalledWith(expect.objectContaining({ pay_type: 2, channel: 'native' }))
    expect(usePayDialogStore().qrPayment).toEqual(answer)
    expect(goToExternal).not.toHaveBeenCalled()
  })

  it('cancels after confirmation and reloads the list', async () => {
    orderApi.fetchOrders
      .mockResolvedValueOnce(page([unpaid]))
      .mockResolvedValueOnce(page([{ ...unpaid, order_status: 2, order_status_display: '已取消' }]))
    ElMessageBox.confirm.mockResolvedValue('confirm')
    orderApi.cancelOrder.mockResolvedValue({ status: 0, msg: '订单已取消' })
    const wrapper = await mountOrders()

    await wrapper.get('[data-test="order-cancel"]').trigger('click')
    await flushPromises()

    expect(orderApi.cancelOrder).toHaveBeenCalledWith('N2')
    expect(ElMessage.success).toHaveBeenCalledWith('订单已取消')
    expect(wrapper.get('[data-test="order-status"]').text()).toBe('已取消')
    expect(wrapper.find('[data-test="order-cancel"]').exists()).toBe(false)
  })

  it('does nothing when the confirmation is dismissed', async () => {
    orderApi.fetchOrders.mockResolvedValue(page([unpaid]))
    ElMessageBox.confirm.mockRejectedValue('cancel')
    const wrapper = await mountOrders()

    await wrapper.get('[data-test="order-cancel"]').trigger('click')
    await flushPromises()
    expect(orderApi.cancelOrder).not.toHaveBeenCalled()
  })
})
