// Two tabs of one browser share the stored session; a refresh token works once (rotation).
// Each "tab" here is its own copy of the HTTP layer and the user store (fresh module graph),
// sharing localStorage and, when the browser has them, Web Locks.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { reply } from './helpers'

const REFRESH_URL = '/user/token/refresh/'
const LOGOUT_URL = '/user/logout/'

/** A deferred promise: `release()` resolves it. */
function gate() {
  let release
  const promise = new Promise((resolve) => {
    release = resolve
  })
  return { promise, release }
}

/** navigator.locks for one lock name at a time, first come first served (the spec's default). */
function fakeLocks() {
  const tails = new Map()
  const locks = {
    requested: 0,
    request(name, task) {
      locks.requested += 1
      const run = (tails.get(name) || Promise.resolve()).then(() => task({ name, mode: 'exclusive' }))
      tails.set(name, run.catch(() => {}))
      return run
    },
  }
  return locks
}

/**
 * The backend as far as tokens go: one valid access token, one valid refresh token; refreshing
 * rotates both and revokes the refresh token it was given. Refresh answers wait for their gate.
 */
function fakeServer({ access, refresh }) {
  const server = { access, refresh, refreshes: [], logouts: [], held: [], rotations: 0 }
  server.adapter = async (config) => {
    if (config.url === REFRESH_URL) {
      const sent = JSON.parse(config.data).refresh
      server.refreshes.push(sent)
      const hold = gate()
      server.held.push(hold)
      await hold.promise
      if (sent !== server.refresh) return reply(401, { status: 1, msg: '登录已过期，请重新登录' })(config)
      server.rotations += 1
      server.access = `access-${server.rotations}`
      server.refresh = `refresh-${server.rotations}`
      return reply(200, { status: 0, token: server.access, refresh: server.refresh })(config)
    }
    if (config.url === LOGOUT_URL) {
      server.logouts.push(JSON.parse(config.data).refresh)
      server.refresh = null
      return reply(200, { status: 0, msg: '已退出登录' })(config)
    }
    const sentHeader = config.headers.get('Authorization')
    if (sentHeader !== `JWT ${server.access}`) return reply(401, { status: 1, msg: '登录已过期' })(config)
    return reply(200, { status: 0, url: config.url, sent: sentHeader })(config)
  }
  return server
}

/** A tab: its own HTTP layer and user store, wired as main.js does, talking to `server`. */
async function openTab(server) {
  vi.resetModules()
  const { default: http, configureAuth } = await import('@/api/http')
  const { sessionAuth } = await import('@/api/session')
  const { useUserStore } = await import('@/stores/user')
  const store = useUserStore(createPinia())
  const router = { currentRoute: { value: { name: 'my-orders', fullPath: '/my/orders' } }, push: vi.fn() }
  configureAuth(sessionAuth(store, router))
  http.defaults.adapter = server.adapter
  return { http, store, router }
}

/** Lets pending promise callbacks and I/O-free tasks run until `done()` holds (or gives up). */
async function settle(done) {
  for (let turn = 0; turn < 100 && !done(); turn += 1) await new Promise((resolve) => setTimeout(resolve, 0))
  return done()
}

function storedSession() {
  return ['luffy.token', 'luffy.refresh', 'luffy.username'].map((key) => localStorage.getItem(key))
}

describe('token refresh across tabs', () => {
  let server

  beforeEach(() => {
    localStorage.clear()
    // Both tabs were opened with this session; its access token has expired since.
    localStorage.setItem('luffy.token', 'expired-access')
    localStorage.setItem('luffy.refresh', 'refresh-0')
    localStorage.setItem('luffy.username', 'alex')
    server = fakeServer({ access: null, refresh: 'refresh-0' })
  })

  afterEach(() => {
    delete navigator.locks
  })

  it('two tabs hitting 401 at once make one refresh call and both carry on logged in', async () => {
    const locks = fakeLocks()
    Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
    const tabA = await openTab(server)
    const tabB = await openTab(server)

    const orders = tabA.http.get('/order/')
    const courses = tabB.http.get('/user/courses/')
    // Both were refused, A is refreshing, B waits for the lock A holds.
    expect(await settle(() => server.held.length === 1 && locks.requested === 2)).toBe(true)
    server.held[0].release()

    await expect(orders).resolves.toMatchObject({ url: '/order/', sent: 'JWT access-1' })
    await expect(courses).resolves.toMatchObject({ url: '/user/courses/', sent: 'JWT access-1' })
    expect(server.refreshes).toEqual(['refresh-0'])
    expect(server.logouts).toEqual([])
    for (const tab of [tabA, tabB]) {
      expect(tab.router.push).not.toHaveBeenCalled()
      expect(tab.store.token).toBe('access-1')
      expect(tab.store.refresh).toBe('refresh-1')
    }
    expect(storedSession()).toEqual(['access-1', 'refresh-1', 'alex'])
  })

  it('a 401 arriving after another tab renewed the session uses that session, no refresh', async () => {
    Object.defineProperty(navigator, 'locks', { value: fakeLocks(), configurable: true })
    const tabA = await openTab(server)
    const tabB = await openTab(server) // its store still holds the expired token
    const first = tabA.http.get('/order/')
    expect(await settle(() => server.held.length === 1)).toBe(true)
    server.held[0].release()
    await first

    await expect(tabB.http.get('/user/courses/')).resolves.toMatchObject({ sent: 'JWT access-1' })
    expect(server.refreshes).toEqual(['refresh-0'])
    expect(tabB.router.push).not.toHaveBeenCalled()
  })

  it('without Web Locks, the tab that loses the rotation race takes the winner\'s session', async () => {
    const tabA = await openTab(server)
    const tabB = await openTab(server)

    const orders = tabA.http.get('/order/')
    const courses = tabB.http.get('/user/courses/')
    expect(await settle(() => server.held.length === 2)).toBe(true) // both sent refresh-0
    server.held[0].release() // A's rotation lands first...
    await orders
    server.held[1].release() // ...then B's copy of the same refresh token is refused

    await expect(courses).resolves.toMatchObject({ sent: 'JWT access-1' })
    expect(server.refreshes).toEqual(['refresh-0', 'refresh-0'])
    expect(server.logouts).toEqual([])
    expect(tabB.router.push).not.toHaveBeenCalled()
    expect(storedSession()).toEqual(['access-1', 'refresh-1', 'alex'])
  })

  it('a refused refresh waits for the session another tab stored to reach this tab', async () => {
    // Another tab already spent refresh-0; what it stored has not reached this tab (Chromium
    // propagates localStorage between tabs asynchronously), so this tab spends refresh-0 too.
    Object.defineProperty(navigator, 'locks', { value: fakeLocks(), configurable: true })
    server.refresh = 'refresh-1'
    server.access = 'access-1'
    const tab = await openTab(server)
    let answered = false
    const orders = tab.http.get('/order/').finally(() => {
      answered = true
    })
    expect(await settle(() => server.held.length === 1)).toBe(true)
    server.held[0].release()
    await new Promise((resolve) => setTimeout(resolve, 0)) // the refusal is handled...
    expect(answered).toBe(false) // ...and the tab waits instead of logging out
    expect(tab.router.push).not.toHaveBeenCalled()

    localStorage.setItem('luffy.token', 'access-1')
    localStorage.setItem('luffy.refresh', 'refresh-1')
    window.dispatchEvent(new StorageEvent('storage', { key: 'luffy.refresh' }))

    await expect(orders).resolves.toMatchObject({ sent: 'JWT access-1' })
    expect(server.refreshes).toEqual(['refresh-0'])
    expect(server.logouts).toEqual([])
    expect(tab.router.push).not.toHaveBeenCalled()
    expect(storedSession()).toEqual(['access-1', 'refresh-1', 'alex'])
  })

  it('a tab logged out in another tab is sent to the login page, not refreshed back in', async () => {
    Object.defineProperty(navigator, 'locks', { value: fakeLocks(), configurable: true })
    const tabA = await openTab(server)
    const tabB = await openTab(server)

    tabB.store.logout()
    const err = await tabA.http.get('/order/').catch((e) => e)

    expect(err.httpStatus).toBe(401)
    expect(server.logouts).toEqual(['refresh-0'])
    expect(server.refreshes).toEqual([])
    expect(tabA.store.isLoggedIn).toBe(false)
    expect(tabA.router.push).toHaveBeenCalledWith({ name: 'login', query: { redirect: '/my/orders' } })
    expect(storedSession()).toEqual([null, null, null])
  })
})
