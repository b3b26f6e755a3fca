// User endpoints: register, login, token refresh, logout, my courses.
import http from './http'

const anonymous = { skipAuth: true, skipAuthRedirect: true }

export const register = ({ username, password, telephone }) =>
  http.post('/user/register/', { username, password, ...(telephone ? { telephone } : {}) }, anonymous)

export const login = ({ username, password }) =>
  http.post('/user/login/', { username, password }, anonymous)

export const refreshToken = (refresh) => http.post('/user/token/refresh/', { refresh }, anonymous)

/** Revokes the refresh token on the server (the access token expires on its own). */
export const logout = (refresh) => http.post('/user/logout/', { refresh }, anonymous)

export const fetchMyCourses = () => http.get('/user/courses/')
