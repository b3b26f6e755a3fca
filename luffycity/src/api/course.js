// Course endpoints (public; the token is sent when we have one so detail can say `purchased`).
import http from './http'

export const fetchCourses = ({ page = 1 } = {}) =>
  http.get('/course/', { params: { page }, authOptional: true })

export const fetchCourse = (id) =>
  http.get(`/course/${encodeURIComponent(id)}/`, { authOptional: true })
