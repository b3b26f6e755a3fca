// Turns an API error's per-field `errors` into something a form can show.

/** { username: ['已存在'] } → { username: '已存在' } */
export function fieldErrors(error) {
  const result = {}
  for (const [field, messages] of Object.entries(error?.errors || {})) {
    result[field] = Array.isArray(messages) ? messages.join('；') : String(messages)
  }
  return result
}
