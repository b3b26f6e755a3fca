import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { networkDown, reply, scriptedAdapter } from './helpers'

import http, { ApiError, configureAuth, NETWORK_ERROR_MSG } from '@/api/http'
import { sessionAuth } from '@/api/session'
import { login } from '@/api/user'
import { fetchCourse, fetchCourses } from '@/api/course'
import { fetchPayResult } from '@/api/order'
import { useUserStore } from '@/stores/user'

// A stand-in router: the HTTP layer is wired to the session exactly as main.js does it.
const router = {
  currentRoute: { value: { name: 'my-orders', fullPath: '/my/orders?page=2' } },
  push: vi.fn(),
}

function useAdapter(...answers) {
  const adapter = scriptedAdapter(vi, ...answers)
  http.defaults.adapter = adapter
  return adapter
}

describe('api/http', () => {
  let store

  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    store = useUserStore()
    configureAuth(sessionAuth(store, router))
    router.push.mockReset()
  })

  it('uses /api as the default base URL', () => {
    expect(http.defaults.baseURL).toBe('/api')
  })

  it('unwraps a status 0 envelope and sends the JWT header', async () => {
    store.setSession({ token: 'abc', refresh: 'r', username: 'alex' })
    const adapter = useAdapter(reply(200, { status: 0, msg: 'ok', results: [1] }))

    await expect(http.get('/order/')).resolves.toEqual({ status: 0, msg: 'ok', results: [1] })
    expect(adapter.mock.calls[0][0].headers.get('Authorization')).toBe('JWT abc')
  })

  it('rejects a non-zero envelope with the server msg, even on HTTP 200', async () => {
    useAdapter(reply(200, { status: 2, msg: '课程已下架' }))

    const err = await http.get('/course/1/').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.message).toBe('课程已下架')
    expect(err.status).toBe(2)
    expect(err.httpStatus).toBe(200)
  })

  it('rejects validation errors with per-field errors and the HTTP code', async () => {
    useAdapter(reply(400, { status: 1, msg: '参数错误', errors: { total_amount: ['金额不符'] } }))

    const err = await http.post('/order/pay/', {}).catch((e) => e)
    expect(err.message).toBe('参数错误')
    expect(err.errors).toEqual({ total_amount: ['金额不符'] })
    expect(err.httpStatus).toBe(400)
    expect(router.push).not.toHaveBeenCalled()
  })

  it('gives a readable message when the error has no envelope', async () => {
    useAdapter(reply(502, '<html>Bad Gateway</html>'))
    const err = await http.get('/order/').catch((e) => e)
    expect(err.message).toBe('服务器开小差了，请稍后再试')
    expect(err.httpStatus).toBe(502)
  })

  it('reports network errors in Chinese', async () => {
    useAdapter(networkDown())
    const err = await http.get('/order/').catch((e) => e)
    expect(err.message).toBe(NETWORK_ERROR_MSG)
    expect(err.httpStatus).toBe(0)
  })

  it('on 401 clears the session and redirects to login with the current path', async () => {
    store.setSession({ token: 'expired', refresh: '', username: 'alex' })
    useAdapter(reply(401, { status: 1, msg: '登录已过期' }))

    const err = await http.get('/order/').catch((e) => e)
    expect(err.message).toBe('登录已过期')
    expect(err.httpStatus).toBe(401)
    expect(store.token).toBe('')
    expect(localStorage.getItem('luffy.token')).toBeNull()
    expect(router.push).toHaveBeenCalledWith({ name: 'login', query: { redirect: '/my/orders?page=2' } })
  })

  it('does not redirect when the login call itself answers 401', async () => {
    const adapter = useAdapter(reply(401, { status: 1, msg: '用户名或密码错误' }))

    await expect(login({ username: 'a', password: 'b' })).rejects.toThrow('用户名或密码错误')
    expect(router.push).not.toHaveBeenCalled()
    expect(adapter.mock.calls[0][0].headers.get('Authorization')).toBeFalsy()
  })

  it('refreshes an expired token once and replays the request', async () => {
    store.setSession({ token: 'old', refresh: 'r1', username: 'alex' })
    const adapter = useAdapter(
      reply(401, { status: 1, msg: 'expired' }),
      reply(200, { status: 0, token: 'new' }),
      reply(200, { status: 0, results: [] }),
    )

    await expect(http.get('/order/')).resolves.toEqual({ status: 0, results: [] })
    const [first, refresh, replay] = adapter.mock.calls.map(([config]) => config)
    expect(first.headers.get('Authorization')).toBe('JWT old')
    expect(refresh.url).toBe('/user/token/refresh/')
    expect(JSON.parse(refresh.data)).toEqual({ refresh: 'r1' })
    expect(replay.headers.get('Authorization')).toBe('JWT new')
    expect(localStorage.getItem('luffy.token')).toBe('new')
    expect(router.push).not.toHaveBeenCalled()
  })

  it('retries a public endpoint anonymously when the stale token is rejected', async () => {
    store.setSession({ token: 'stale', refresh: '', username: 'alex' })
    const adapter = useAdapter(
      reply(401, { status: 1, msg: 'bad token' }),
      reply(200, { status: 0, course: { id: 1, purchased: false } }),
    )

    await expect(fetchCourse(1)).resolves.toMatchObject({ course: { id: 1 } })
    expect(adapter.mock.calls[1][0].headers.get('Authorization')).toBeFalsy()
    expect(store.isLoggedIn).toBe(false)
    expect(router.push).not.toHaveBeenCalled()
  })

  it('sends the token with the course list when logged in (for `purchased`), none when not', async () => {
    const adapter = useAdapter(
      reply(200, { status: 0, count: 0, results: [] }),
      reply(200, { status: 0, count: 0, results: [] }),
    )
    await fetchCourses({ page: 2 })
    expect(adapter.mock.calls[0][0].headers.get('Authorization')).toBeFalsy()
    expect(adapter.mock.calls[0][0].params).toEqual({ page: 2 })

    store.setSession({ token: 'abc', refresh: 'r', username: 'alex' })
    await fetchCourses()
    expect(adapter.mock.calls[1][0].headers.get('Authorization')).toBe('JWT abc')
  })

  it('lets the pay result poll resolve status 1 ("not paid yet") and forwards params verbatim', async () => {
    store.setSession({ token: 't', refresh: '', username: 'alex' })
    const adapter = useAdapter(reply(200, { status: 1, msg: '暂未收到付款', order: { order_status: 0 } }))
    const params = { out_trade_no: 'N1', sign: 'a+b/c==', timestamp: '2021-01-15 12:23:44' }

    await expect(fetchPayResult(params)).resolves.toMatchObject({ status: 1 })
    const config = adapter.mock.calls[0][0]
    expect(config.url).toBe('/order/success/')
    expect(config.params).toEqual(params)
    const query = new URL(http.getUri(config), 'http://x').searchParams
    expect(Object.fromEntries(query)).toEqual(params)
  })

  it('still rejects other statuses on the pay result poll', async () => {
    useAdapter(reply(400, { status: 1, msg: '签名错误' }))
    await expect(fetchPayResult({ out_trade_no: 'N1' })).rejects.toThrow('签名错误')
  })
})

describe('api/ layer', () => {
  // The HTTP layer gets the session from main.js; importing the router or a store from
  // src/api/ would bring back the import cycle (api/http → stores/user → api/user → api/http).
  const sources = import.meta.glob('/src/api/*.js', { query: '?raw', import: 'default', eager: true })

  it('imports neither the router nor the stores', () => {
    expect(Object.keys(sources)).toContain('/src/api/http.js')
    for (const [file, source] of Object.entries(sources)) {
      expect(source, file).not.toMatch(/from\s+['"]@\/(router|stores)/)
    }
  })
})
