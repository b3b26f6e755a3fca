import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
}))
vi.mock('@/api/user', () => ({ login: vi.fn(), register: vi.fn(), refreshToken: vi.fn() }))

const { ElMessage } = await import('element-plus')
const userApi = await import('@/api/user')
const { default: router } = await import('@/router')
const { default: LoginView } = await import('@/views/LoginView.vue')

enableAutoUnmount(afterEach)

async function mountLogin(url) {
  await router.push(url)
  const wrapper = mount(LoginView, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('LoginView', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('puts the data-test hooks on the native inputs', async () => {
    const wrapper = await mountLogin('/login')
    expect(wrapper.get('[data-test="login-username"]').element.tagName).toBe('INPUT')
    expect(wrapper.get('[data-test="login-password"]').element.tagName).toBe('INPUT')
  })

  it('does not submit an empty form', async () => {
    const wrapper = await mountLogin('/login')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(userApi.login).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(wrapper.text()).toContain('请输入用户名'))
  })

  it('logs in and goes back to the redirect target', async () => {
    userApi.login.mockResolvedValue({ status: 0, token: 't', refresh: 'r', username: 'alex' })
    const wrapper = await mountLogin('/login?redirect=' + encodeURIComponent('/course/paysuccess?out_trade_no=N1'))

    await wrapper.get('[data-test="login-username"]').setValue('alex')
    await wrapper.get('[data-test="login-password"]').setValue('secret123')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(userApi.login).toHaveBeenCalledWith({ username: 'alex', password: 'secret123' })
    // The pay result route is lazy: its first load compiles a chain of modules (views, composables),
    // which takes more than waitFor's default second on a busy machine.
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/course/paysuccess?out_trade_no=N1'), {
      timeout: 10000,
    })
    expect(localStorage.getItem('luffy.username')).toBe('alex')
  })

  it('shows the server message on bad credentials', async () => {
    userApi.login.mockRejectedValue(Object.assign(new Error('用户名或密码错误'), { errors: {} }))
    const wrapper = await mountLogin('/login')

    await wrapper.get('[data-test="login-username"]').setValue('alex')
    await wrapper.get('[data-test="login-password"]').setValue('wrong')
    await wrapper.get('[data-test="login-submit"]').trigger('click') // a native submit button
    await flushPromises()

    expect(ElMessage.error).toHaveBeenCalledWith('用户名或密码错误')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('closes a previous error toast on a new submit and before 登录成功', async () => {
    userApi.login
      .mockRejectedValueOnce(Object.assign(new Error('用户名或密码错误'), { errors: {} }))
      .mockResolvedValueOnce({ status: 0, token: 't', refresh: 'r', username: 'alex' })
    const wrapper = await mountLogin('/login')
    await wrapper.get('[data-test="login-username"]').setValue('alex')
    await wrapper.get('[data-test="login-password"]').setValue('wrong')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(ElMessage.error).toHaveBeenCalledWith('用户名或密码错误')
    ElMessage.closeAll.mockClear()

    await wrapper.get('[data-test="login-password"]').setValue('secret123')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(ElMessage.success).toHaveBeenCalledWith('登录成功')
    expect(Math.min(...ElMessage.closeAll.mock.invocationCallOrder)).toBeLessThan(
      ElMessage.success.mock.invocationCallOrder[0],
    )
  })
})
