import { describe, expect, it } from 'vitest'
import { mount, RouterLinkStub } from '@vue/test-utils'
import CourseCard from '@/components/CourseCard.vue'

const course = {
  id: 7,
  name: 'Python 全栈开发',
  brief: '从零开始',
  price: '99.5',
  level_display: '初级',
  lessons: 12,
  teacher: 'Alex',
}

const mountCard = (props = {}) =>
  mount(CourseCard, { props: { course, ...props }, global: { stubs: { RouterLink: RouterLinkStub } } })

describe('CourseCard', () => {
  it('renders the course facts and a ¥ price with two decimals', () => {
    const wrapper = mountCard()
    expect(wrapper.attributes('data-test')).toBe('course-card')
    expect(wrapper.text()).toContain('Python 全栈开发')
    expect(wrapper.text()).toContain('Alex')
    expect(wrapper.text()).toContain('共 12 课时')
    expect(wrapper.text()).toContain('初级')
    expect(wrapper.get('[data-test="course-price"]').text()).toBe('¥99.50')
    expect(wrapper.findComponent(RouterLinkStub).props('to')).toEqual({
      name: 'course-detail',
      params: { id: 7 },
    })
  })

  it('emits buy with the course when 立即购买 is clicked', async () => {
    const wrapper = mountCard()
    const button = wrapper.get('[data-test="buy-now"]')
    expect(button.text()).toBe('立即购买')
    await button.trigger('click')
    expect(wrapper.emitted('buy')).toEqual([[course]])
  })

  it('disables the button while another purchase is running', async () => {
    const wrapper = mountCard({ disabled: true })
    const button = wrapper.get('[data-test="buy-now"]')
    expect(button.attributes('disabled')).toBeDefined()
    await button.trigger('click')
    expect(wrapper.emitted('buy')).toBeUndefined()
  })

  it('emits select with the new state from the 选购 checkbox', async () => {
    const wrapper = mountCard()
    await wrapper.get('[data-test="course-select"] input').setValue(true)
    expect(wrapper.emitted('select')).toEqual([[course, true]])
  })

  it('shows a selected course as checked, and can still unselect it while the selection is full', () => {
    const wrapper = mountCard({ selected: true, selectable: false })
    const input = wrapper.get('[data-test="course-select"] input')
    expect(input.element.checked).toBe(true)
    expect(input.attributes('disabled')).toBeUndefined()
    expect(mountCard({ selectable: false }).get('[data-test="course-select"] input').attributes('disabled')).toBeDefined()
  })

  it('shows 已购买 and a link to my courses instead of buying an owned course', () => {
    const wrapper = mountCard({ course: { ...course, purchased: true } })
    expect(wrapper.get('[data-test="purchased"]').text()).toBe('已购买')
    expect(wrapper.find('[data-test="buy-now"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="course-select"]').exists()).toBe(false)
    expect(wrapper.findAllComponents(RouterLinkStub).map((link) => link.props('to'))).toContainEqual({ name: 'my-courses' })
    expect(wrapper.get('[data-test="start-learning"]').text()).toBe('开始学习')
  })
})
