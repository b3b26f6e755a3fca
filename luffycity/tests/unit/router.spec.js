import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import router, { authGuard } from '@/router'
import { useUserStore } from '@/stores/user'

const resolve = (path) => router.resolve(path)

describe('router', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('maps both pay result spellings to the same view', () => {
    const a = resolve('/course/paysuccess?out_trade_no=1')
    const b = resolve('/course/paysucess?out_trade_no=1')
    expect(a.name).toBe('pay-result')
    expect(b.name).toBe('pay-result-legacy')
    expect(a.matched[0].components.default).toBe(b.matched[0].components.default)
  })

  it('serves the course list at / and /courses, and 404s unknown paths', () => {
    expect(resolve('/').name).toBe('courses')
    expect(resolve('/courses?page=2').name).toBe('courses')
    expect(resolve('/course/12').name).toBe('course-detail')
    expect(resolve('/no/such/page').name).toBe('not-found')
  })

  it('sends logged-out users to login, keeping the full path with Alipay params', () => {
    const to = resolve('/course/paysuccess?out_trade_no=N1&sign=a%2Bb%3D&timestamp=2021-01-15+12%3A23%3A44')
    const redirect = authGuard(to)
    expect(redirect).toEqual({ name: 'login', query: { redirect: to.fullPath } })
    // after login, the same parameters come back
    const back = new URL(resolve(redirect.query.redirect).href, 'http://x').searchParams
    expect(back.get('sign')).toBe('a+b=')
    expect(back.get('timestamp')).toBe('2021-01-15 12:23:44')
  })

  it('lets logged-in users through and keeps them off the login page', () => {
    useUserStore().setSession({ token: 't', refresh: 'r', username: 'alex' })
    expect(authGuard(resolve('/my/orders'))).toBe(true)
    expect(authGuard(resolve('/login?redirect=/my/orders'))).toBe('/my/orders')
  })
})
