// The logged-in user's session (JWT + username), persisted in localStorage.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import * as userApi from '@/api/user'

export const STORAGE_KEYS = { token: 'luffy.token', refresh: 'luffy.refresh', username: 'luffy.username' }

function readStorage(key) {
  try {
    return window.localStorage.getItem(key) || ''
  } catch {
    return '' // storage disabled (privacy mode): session lives in memory only
  }
}

function writeStorage(key, value) {
  try {
    if (value) window.localStorage.setItem(key, value)
    else window.localStorage.removeItem(key)
  } catch {
    /* see readStorage */
  }
}

export const useUserStore = defineStore('user', () => {
  const token = ref(readStorage(STORAGE_KEYS.token))
  const refresh = ref(readStorage(STORAGE_KEYS.refresh))
  const username = ref(readStorage(STORAGE_KEYS.username))

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

  /** Swaps the refresh token for a new access token; resolves null when that fails. */
  async function refreshToken() {
    if (!refresh.value) return null
    try {
      const data = await userApi.refreshToken(refresh.value)
      if (!data.token) return null
      token.value = data.token
      if (data.refresh) refresh.value = data.refresh // rotation, if the backend does it
      persist()
      return data.token
    } catch {
      return null
    }
  }

  // Keep tabs in sync: logging in or out in one tab applies to all.
  if (typeof window !== 'undefined') {
    window.addEventListener('storage', (event) => {
      if (!Object.values(STORAGE_KEYS).includes(event.key)) return
      token.value = readStorage(STORAGE_KEYS.token)
      refresh.value = readStorage(STORAGE_KEYS.refresh)
      username.value = readStorage(STORAGE_KEYS.username)
    })
  }

  return { token, refresh, username, isLoggedIn, login, register, logout, refreshToken, setSession }
})
