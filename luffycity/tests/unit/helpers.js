// Shared test helpers: a scripted axios adapter.
import { AxiosError } from 'axios'

/** An adapter answer: HTTP `status` with JSON `data` (non-2xx rejects like axios does). */
export function reply(status, data) {
  return (config) => {
    const response = { data, status, statusText: String(status), headers: {}, config, request: {} }
    if (status >= 200 && status < 300) return Promise.resolve(response)
    return Promise.reject(
      new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_REQUEST, config, {}, response),
    )
  }
}

/** An adapter answer with no response at all (connection refused, timeout, ...). */
export function networkDown() {
  return (config) => Promise.reject(new AxiosError('Network Error', AxiosError.ERR_NETWORK, config, {}))
}

/** vi.fn adapter that plays the given answers in order and records each request config. */
export function scriptedAdapter(vi, ...answers) {
  const adapter = vi.fn()
  for (const answer of answers) adapter.mockImplementationOnce(answer)
  return adapter
}
