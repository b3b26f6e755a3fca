import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/http'

vi.mock('element-plus', async (importOriginal) => ({
  ...(await importOriginal()),
  ElMessage: { warning: vi.fn(), error: vi.fn(), success: vi.fn(), closeAll: vi.fn() },
}))
vi.mock('@/api/user', () => ({ login: vi.fn(), register: vi.fn(), refreshToken: vi.fn() }))

const { ElMessage } = await import('element-plus')
const userApi = await import('@/api/user')
const { default: router } = await import('@/router')
const { default: RegisterView } = await import('@/views/RegisterView.vue')

enableAutoUnmount(afterEach)

async function mountRegister() {
  await router.push('/register?redirect=/my/courses')
  const wrapper = mount(RegisterView, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

async function fillAndSubmit(wrapper, { username = 'bob', password = 'luffy-pass-2026', telephone = '' } = {}) {
  await wrapper.get('[data-test="register-username"]').setValue(username)
  await wrapper.get('[data-test="register-password"]').setValue(password)
  await wrapper.get('[data-test="register-password2"]').setValue(password)
  await wrapper.get('[data-test="register-telephone"]').setValue(telephone)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

const errorUnder = (wrapper, testId) =>
  wrapper.get(`[data-test="${testId}"]`).element.closest('.el-form-item').querySelector('.el-form-item__error')

describe('RegisterView', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('shows the API\'s field errors under their fields', async () => {
    userApi.register.mockRejectedValue(
      new ApiError('username: 该用户名已存在', {
        httpStatus: 400,
        status: 1,
        errors: { username: ['该用户名已存在'], telephone: ['该手机号已注册'] },
      }),
    )
    const wrapper = await mountRegister()
    await fillAndSubmit(wrapper, { telephone: '13800138000' })

    await vi.waitFor(() => expect(errorUnder(wrapper, 'register-username')?.textContent.trim()).toBe('该用户名已存在'))
    expect(errorUnder(wrapper, 'register-telephone')?.textContent.trim()).toBe('该手机号已注册')
    expect(errorUnder(wrapper, 'register-password')).toBeNull()
    expect(ElMessage.error).toHaveBeenCalledWith('该用户名已存在') // without the API field name
    expect(router.currentRoute.value.name).toBe('register')
  })

  it('closes the old error toast when a new attempt succeeds', async () => {
    userApi.register
      .mockRejectedValueOnce(new ApiError('username: 该用户名已存在', { httpStatus: 400, errors: { username: ['该用户名已存在'] } }))
      .mockResolvedValueOnce({ status: 0, user: { id: 1, username: 'bob2' } })
    userApi.login.mockResolvedValue({ status: 0, token: 't', refresh: 'r', username: 'bob2' })
    const wrapper = await mountRegister()

    await fillAndSubmit(wrapper)
    expect(ElMessage.error).toHaveBeenCalledTimes(1)
    ElMessage.closeAll.mockClear()

    await fillAndSubmit(wrapper, { username: 'bob2' })
    expect(ElMessage.success).toHaveBeenCalledWith('注册成功，已自动登录')
    expect(ElMessage.closeAll).toHaveBeenCalled()
    const lastClose = Math.max(...ElMessage.closeAll.mock.invocationCallOrder)
    expect(lastClose).toBeLessThan(ElMessage.success.mock.invocationCallOrder[0])
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/my/courses'))
  })

  it('asks for the 8 characters the backend requires before calling it', async () => {
    const wrapper = await mountRegister()
    await fillAndSubmit(wrapper, { password: 'short7!' })
    expect(userApi.register).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(wrapper.text()).toContain('密码长度为 8-128 个字符'))
  })
})
