import { describe, expect, it } from 'vitest'
import { mount, RouterLinkStub } from '@vue/test-utils'
import OrderListItem from '@/components/OrderListItem.vue'

const base = {
  out_trade_no: 'N1',
  subject: 'Python',
  total_amount: '99.00',
  order_status: 0,
  order_status_display: '未支付',
  pay_time: null,
  created_time: '2030-01-01T10:00:00+08:00',
  expire_time: '2999-01-01T10:30:00+08:00',
  lines: [{ course_id: 1, course_name: 'Python', price: '99.00', real_price: '99.00' }],
}

const mountItem = (order) =>
  mount(OrderListItem, { props: { order }, global: { stubs: { RouterLink: RouterLinkStub } } })

describe('OrderListItem', () => {
  it('offers 继续支付 and 取消订单 for an unpaid order', async () => {
    const wrapper = mountItem(base)
    expect(wrapper.get('[data-test="order-status"]').text()).toBe('未支付')
    expect(wrapper.text()).toContain('2030-01-01 10:00:00')
    await wrapper.get('[data-test="order-continue-pay"]').trigger('click')
    await wrapper.get('[data-test="order-cancel"]').trigger('click')
    expect(wrapper.emitted('continue')).toEqual([[base]])
    expect(wrapper.emitted('cancel')).toEqual([[base]])
  })

  it('has no actions for a paid order', () => {
    const wrapper = mountItem({ ...base, order_status: 1, order_status_display: '已支付', pay_time: '2030-01-01T10:05:00+08:00' })
    expect(wrapper.get('[data-test="order-status"]').text()).toBe('已支付')
    expect(wrapper.find('[data-test="order-continue-pay"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="order-cancel"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="order-refunded"]').exists()).toBe(false)
  })

  it('marks the refunded courses of a partly refunded order', () => {
    const lines = [
      { course_id: 1, course_name: 'Python', price: '99.00', real_price: '99.00', refunded: true },
      { course_id: 2, course_name: 'Go', price: '199.00', real_price: '199.00', refunded: false },
    ]
    const wrapper = mountItem({ ...base, order_status: 1, order_status_display: '已支付', refund_amount: '99.00', lines })
    const refunded = wrapper.findAll('[data-test="order-line-refunded"]')
    expect(refunded).toHaveLength(1)
    expect(refunded[0].element.closest('li').textContent).toContain('Python')
    expect(wrapper.get('[data-test="order-refunded"]').text()).toBe('部分退款 ¥99.00')
  })

  it('says when a paid order was refunded', () => {
    const wrapper = mountItem({ ...base, order_status: 1, order_status_display: '已支付', refund_amount: '99.00' })
    expect(wrapper.get('[data-test="order-refunded"]').text()).toBe('已退款 ¥99.00')
  })

  it('says 实付 only for a paid order, 订单金额 otherwise', () => {
    const amount = (order) => mountItem(order).get('[data-test="order-amount"]').text()
    expect(amount({ ...base, order_status: 1, order_status_display: '已支付', pay_time: '2030-01-01T10:05:00+08:00' })).toBe(
      '实付 ¥99.00',
    )
    expect(amount(base)).toBe('订单金额 ¥99.00')
    expect(amount({ ...base, order_status: 2, order_status_display: '已取消' })).toBe('订单金额 ¥99.00')
    expect(amount({ ...base, order_status: 3, order_status_display: '超时取消' })).toBe('订单金额 ¥99.00')
  })
})
