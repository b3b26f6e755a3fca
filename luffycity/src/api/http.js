// The only axios instance: base URL, JWT header, envelope unwrapping, 401 → refresh or login.
// It imports neither the router nor the stores: main.js hands it the session (configureAuth).
import axios from 'axios'

export const NETWORK_ERROR_MSG = '网络错误，请稍后再试'

/** An error answer from the API (or the network), with the envelope's details. */
export class ApiError extends Error {
  constructor(message, { status = -1, errors = {}, httpStatus = 0, data = null } = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status // envelope status (non-zero), -1 when there was no envelope
    this.errors = errors // per-field validation errors: { field: ['...'] }
    this.httpStatus = httpStatus // 0 = no answer (network error / timeout)
    this.data = data
  }
}

/**
 * What this layer needs from the login session, handed over once by main.js:
 *   token()    the access token to send ('' when logged out)
 *   refresh(refused)  resolves an access token other than `refused` (the one the server just
 *              refused), or null when the session cannot be renewed
 *   clear()    forgets the session (the token was refused)
 *   toLogin()  sends the user to the login page
 */
const auth = {
  token: () => '',
  refresh: async () => null,
  clear: () => {},
  toLogin: () => {},
}

export function configureAuth(handlers) {
  Object.assign(auth, handlers)
}

const http = axios.create({
  baseURL: import.meta.env.VITE_API_BASE || '/api',
  timeout: 15000,
})

/*
 * Per-request options understood by the interceptors (extra axios config keys):
 *   skipAuth          never send the Authorization header (login, register, refresh)
 *   skipAuthRedirect  a 401 is an ordinary error, no refresh and no redirect (login)
 *   authOptional      public endpoint: on 401 drop the stale token and retry anonymously
 *   acceptStatuses    envelope statuses that resolve instead of reject (default [0])
 */

http.interceptors.request.use((config) => {
  const token = config.skipAuth ? null : auth.token()
  config._sentToken = token || '' // on a 401, the refresh must replace exactly this one
  if (token) config.headers.set('Authorization', `JWT ${token}`)
  else config.headers.delete('Authorization')
  return config
})

http.interceptors.response.use(unwrapEnvelope, handleFailure)

function unwrapEnvelope(response) {
  const data = response.data
  // Anything without an envelope (e.g. an HTML page from a misrouted proxy) is an error.
  if (data === null || typeof data !== 'object' || !('status' in data)) {
    throw new ApiError('服务器响应异常，请稍后再试', { httpStatus: response.status, data })
  }
  const accepted = response.config.acceptStatuses || [0]
  if (accepted.includes(data.status)) return data
  throw toApiError(data, response.status)
}

async function handleFailure(error) {
  if (axios.isCancel(error)) throw error
  const { response, config = {} } = error
  if (!response) throw new ApiError(NETWORK_ERROR_MSG, { httpStatus: 0 })
  if (response.status === 401 && !config.skipAuthRedirect) return handleUnauthorized(error)
  throw toApiError(response.data, response.status)
}

async function handleUnauthorized({ config, response }) {
  if (!config.skipAuth && !config._retried) {
    // The access token may just have expired: refresh once, then replay the request.
    if (await refreshOnce(config._sentToken)) return http({ ...config, _retried: true })
  }
  const hadToken = !config.skipAuth && Boolean(auth.token())
  auth.clear()
  if (config.authOptional && hadToken) return http({ ...config, skipAuth: true })
  auth.toLogin()
  throw toApiError(response.data, 401)
}

/*
 * Concurrent 401s share one refresh call: in this tab through `refreshing`, across the tabs
 * of the browser through a Web Lock. Refresh tokens work once (rotation), so two tabs
 * refreshing with the same one would get one new session and one 401, and the 401 would log
 * both out. Under the lock, the session handler first looks at the stored session (shared by
 * the tabs): if another tab renewed it since `refused` was sent, it takes that token instead.
 * Without Web Locks (old browsers, plain-http origins other than localhost) the in-tab single
 * flight remains, and the store adopts the session of a tab that rotated first.
 */
const REFRESH_LOCK = 'luffy-token-refresh'
let refreshing = null
function refreshOnce(refused) {
  refreshing ||= withRefreshLock(() => auth.refresh(refused)).finally(() => {
    refreshing = null
  })
  return refreshing
}

function withRefreshLock(task) {
  const locks = globalThis.navigator?.locks
  if (!locks?.request) return Promise.resolve().then(task)
  return locks.request(REFRESH_LOCK, task)
}

const DEFAULT_MESSAGES = {
  400: '请求参数有误',
  401: '请先登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在',
  409: '当前状态不允许此操作',
}

function toApiError(data, httpStatus) {
  const envelope = data && typeof data === 'object' ? data : {}
  const fallback =
    DEFAULT_MESSAGES[httpStatus] ||
    (httpStatus >= 500 ? '服务器开小差了，请稍后再试' : `请求失败（${httpStatus}）`)
  const message = typeof envelope.msg === 'string' && envelope.msg ? envelope.msg : fallback
  return new ApiError(message, {
    status: typeof envelope.status === 'number' ? envelope.status : -1,
    errors: envelope.errors && typeof envelope.errors === 'object' ? envelope.errors : {},
    httpStatus,
    data: envelope,
  })
}

export default http
