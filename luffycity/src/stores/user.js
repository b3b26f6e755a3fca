// The logged-in user's session (JWT + username), persisted in localStorage.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import * as userApi from '@/api/user'

export const STORAGE_KEYS = { token: 'luffy.token', refresh: 'luffy.refresh', username: 'luffy.username' }

/** The session as stored (what any tab last wrote), or null when storage is disabled. */
function storedSession() {
  try {
    const read = (key) => window.localStorage.getItem(key) || ''
    return { token: read(STORAGE_KEYS.token), refresh: read(STORAGE_KEYS.refresh), username: read(STORAGE_KEYS.username) }
  } catch {
    return null // storage disabled (privacy mode): session lives in memory only
  }
}

function writeStorage(key, value) {
  try {
    if (value) window.localStorage.setItem(key, value)
    else window.localStorage.removeItem(key)
  } catch {
    /* see storedSession */
  }
}

// Chromium hands one tab's localStorage writes to the others asynchronously: a tab can get the
// refresh lock before the session the previous holder stored has reached it.
const STORAGE_CATCH_UP_MS = 1000

/** Resolves true once the stored refresh token is no longer `sent` (false after a while). */
function storedRefreshReplaced(sent) {
  const replaced = () => storedSession()?.refresh !== sent
  if (!storedSession()) return Promise.resolve(false) // no storage: no other tab to wait for
  if (replaced()) return Promise.resolve(true)
  return new Promise((resolve) => {
    const finish = (result) => {
      window.removeEventListener('storage', onStorage)
      clearTimeout(timer)
      resolve(result)
    }
    const onStorage = () => replaced() && finish(true)
    const timer = setTimeout(() => finish(false), STORAGE_CATCH_UP_MS)
    window.addEventListener('storage', onStorage)
  })
}

export const useUserStore = defineStore('user', () => {
  const initial = storedSession() || {}
  const token = ref(initial.token || '')
  const refresh = ref(initial.refresh || '')
  const username = ref(initial.username || '')

  const isLoggedIn = computed(() => Boolean(token.value))

  function persist() {
    writeStorage(STORAGE_KEYS.token, token.value)
    writeStorage(STORAGE_KEYS.refresh, refresh.value)
    writeStorage(STORAGE_KEYS.username, username.value)
  }

  function setSession(session) {
    token.value = session.token || ''
    refresh.value = session.refresh || ''
    username.value = session.username || ''
    persist()
  }

  async function login({ username: name, password }) {
    const data = await userApi.login({ username: name, password })
    setSession({ token: data.token, refresh: data.refresh, username: data.username || name })
    return data
  }

  /** Registers, then logs in with the same credentials. */
  async function register({ username: name, password, telephone }) {
    await userApi.register({ username: name, password, telephone })
    return login({ username: name, password })
  }

  /** Forgets the session here at once and revokes its refresh token on the server. */
  function logout() {
    const revoked = refresh.value
    setSession({})
    if (revoked) userApi.logout(revoked).catch(() => {}) // already invalid: nothing to revoke
  }

  /** Takes what another tab stored (a renewed session, a login, a logout) into this one. */
  function adoptStored() {
    const stored = storedSession()
    if (!stored) return
    token.value = stored.token
    refresh.value = stored.refresh
    username.value = stored.username
  }

  /**
   * An access token to use instead of `refused` (the one the server just refused): another
   * tab's if it renewed the session meanwhile, else one got for the refresh token. Resolves
   * null when the session cannot be renewed. The HTTP layer calls it under a cross-tab lock.
   */
  async function refreshToken(refused = token.value) {
    adoptStored() // the storage event may not have arrived yet
    if (token.value && token.value !== refused) return token.value
    const sent = refresh.value
    if (!sent) return null
    try {
      const data = await userApi.refreshToken(sent)
      if (!data.token) return null
      token.value = data.token
      if (data.refresh) refresh.value = data.refresh // rotation: `sent` is revoked now
      persist()
      return data.token
    } catch (err) {
      // Refused: another tab may have rotated `sent` first (no Web Locks, or its new session
      // had not reached this tab's copy of localStorage yet). Then that session stands.
      if (err?.httpStatus !== 401 || !(await storedRefreshReplaced(sent))) return null
      adoptStored()
      return token.value || null
    }
  }

  // Keep tabs in sync: logging in or out in one tab applies to all.
  if (typeof window !== 'undefined') {
    window.addEventListener('storage', (event) => {
      if (Object.values(STORAGE_KEYS).includes(event.key)) adoptStored()
    })
  }

  return { token, refresh, username, isLoggedIn, login, register, logout, refreshToken, setSession }
})
