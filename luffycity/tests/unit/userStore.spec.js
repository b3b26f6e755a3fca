import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api/user', () => ({
  login: vi.fn(),
  register: vi.fn(),
  refreshToken: vi.fn(),
  logout: vi.fn(() => Promise.resolve({ status: 0 })),
}))

const userApi = await import('@/api/user')
const { useUserStore, STORAGE_KEYS } = await import('@/stores/user')

describe('stores/user', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('starts logged out with empty storage', () => {
    const store = useUserStore()
    expect(store.isLoggedIn).toBe(false)
    expect(store.username).toBe('')
  })

  it('restores the session from localStorage', () => {
    localStorage.setItem(STORAGE_KEYS.token, 't1')
    localStorage.setItem(STORAGE_KEYS.refresh, 'r1')
    localStorage.setItem(STORAGE_KEYS.username, 'alex')

    const store = useUserStore()
    expect(store.isLoggedIn).toBe(true)
    expect(store.token).toBe('t1')
    expect(store.refresh).toBe('r1')
    expect(store.username).toBe('alex')
  })

  it('login persists token, refresh and username', async () => {
    userApi.login.mockResolvedValue({ status: 0, token: 't2', refresh: 'r2', username: 'alex' })
    const store = useUserStore()

    await store.login({ username: 'alex', password: 'secret123' })

    expect(userApi.login).toHaveBeenCalledWith({ username: 'alex', password: 'secret123' })
    expect(store.isLoggedIn).toBe(true)
    expect(localStorage.getItem(STORAGE_KEYS.token)).toBe('t2')
    expect(localStorage.getItem(STORAGE_KEYS.refresh)).toBe('r2')
    expect(localStorage.getItem(STORAGE_KEYS.username)).toBe('alex')
    // a fresh store (new page load) sees the same session
    setActivePinia(createPinia())
    expect(useUserStore().username).toBe('alex')
  })

  it('a failed login leaves the store logged out', async () => {
    userApi.login.mockRejectedValue(new Error('用户名或密码错误'))
    const store = useUserStore()
    await expect(store.login({ username: 'a', password: 'b' })).rejects.toThrow('用户名或密码错误')
    expect(store.isLoggedIn).toBe(false)
    expect(localStorage.getItem(STORAGE_KEYS.token)).toBeNull()
  })

  it('register logs in with the same credentials', async () => {
    userApi.register.mockResolvedValue({ status: 0, user: { id: 1, username: 'bob' } })
    userApi.login.mockResolvedValue({ status: 0, token: 't', refresh: 'r', username: 'bob' })
    const store = useUserStore()

    await store.register({ username: 'bob', password: 'pw123456', telephone: '' })

    expect(userApi.register).toHaveBeenCalledWith({ username: 'bob', password: 'pw123456', telephone: '' })
    expect(userApi.login).toHaveBeenCalledWith({ username: 'bob', password: 'pw123456' })
    expect(store.username).toBe('bob')
  })

  it('logout clears memory and storage and revokes the refresh token', () => {
    const store = useUserStore()
    store.setSession({ token: 't', refresh: 'r', username: 'alex' })
    store.logout()
    expect(userApi.logout).toHaveBeenCalledWith('r')
    expect(store.isLoggedIn).toBe(false)
    expect(Object.values(STORAGE_KEYS).map((key) => localStorage.getItem(key))).toEqual([null, null, null])
  })

  it('refreshToken swaps the access token, and resolves null on failure', async () => {
    const store = useUserStore()
    store.setSession({ token: 'old', refresh: 'r', username: 'alex' })
    userApi.refreshToken.mockResolvedValueOnce({ status: 0, token: 'new' })
    await expect(store.refreshToken()).resolves.toBe('new')
    expect(localStorage.getItem(STORAGE_KEYS.token)).toBe('new')

    userApi.refreshToken.mockResolvedValueOnce({ status: 0, token: 'newer', refresh: 'r2' })
    await expect(store.refreshToken()).resolves.toBe('newer')
    expect(localStorage.getItem(STORAGE_KEYS.refresh)).toBe('r2') // rotated

    userApi.refreshToken.mockRejectedValueOnce(new Error('expired'))
    await expect(store.refreshToken()).resolves.toBeNull()
  })
})
