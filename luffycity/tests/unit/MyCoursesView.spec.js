import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api/user', () => ({ fetchMyCourses: vi.fn(), login: vi.fn(), register: vi.fn(), refreshToken: vi.fn() }))

const { fetchMyCourses } = await import('@/api/user')
const { default: router } = await import('@/router')
const { useUserStore } = await import('@/stores/user')
const { default: MyCoursesView } = await import('@/views/MyCoursesView.vue')
const { ElDialog } = await import('element-plus')

enableAutoUnmount(afterEach)

describe('MyCoursesView', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
  })

  it('shows a new student 还没有购买课程 and a way to the courses', async () => {
    fetchMyCourses.mockResolvedValue({ status: 0, msg: '', results: [] })
    await router.push('/my/courses')
    const wrapper = mount(MyCoursesView, { global: { plugins: [router] } })
    await flushPromises()

    expect(wrapper.text()).toContain('还没有购买课程')
    expect(wrapper.find('[data-test="my-course"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="load-error"]').exists()).toBe(false)
    const push = vi.spyOn(router, 'push').mockResolvedValue()
    await wrapper.findAll('button').find((b) => b.text() === '去选课').trigger('click')
    expect(push).toHaveBeenCalledWith('/courses')
  })

  it('opens the 开始学习 dialog no wider than a phone screen', async () => {
    fetchMyCourses.mockResolvedValue({
      status: 0,
      results: [{ id: 1, name: 'Python', teacher: 'Alex', lessons: 10, purchased_at: '2030-01-01T10:00:00+08:00' }],
    })
    await router.push('/my/courses')
    const wrapper = mount(MyCoursesView, { global: { plugins: [router] } })
    await flushPromises()

    await wrapper.get('[data-test="start-learning"]').trigger('click')
    const dialog = wrapper.findComponent(ElDialog)
    expect(dialog.props('modelValue')).toBe(true)
    expect(dialog.props('title')).toBe('Python')
    expect(dialog.props('width')).toBe('min(480px, 92vw)')
  })
})
