// Turns an API error's per-field `errors` into something a form can show.

/** { username: ['已存在'] } → { username: '已存在' } */
export function fieldErrors(error) {
  const result = {}
  for (const [field, messages] of Object.entries(error?.errors || {})) {
    result[field] = Array.isArray(messages) ? messages.join('；') : String(messages)
  }
  return result
}

/**
 * What a form shows for a failed submit: the per-field messages of the fields it has (under
 * those fields), and one toast text — the first of those messages (the envelope's `msg` then
 * only repeats it with the field's API name in front), else the server's message.
 */
export function formErrors(error, formFields, fallback = '提交失败，请稍后再试') {
  const all = fieldErrors(error)
  const fields = {}
  for (const name of formFields) if (all[name]) fields[name] = all[name]
  const first = Object.values(fields)[0]
  return { fields, toast: first || error?.message || fallback }
}
