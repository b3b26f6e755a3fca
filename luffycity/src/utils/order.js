// Order helpers shared by buy-now, the selection bar and the order pages.
import { isPositiveAmount } from './money'

// Order statuses, as the backend numbers them (apps/order/constants.py OrderStatus).
export const ORDER_UNPAID = 0
export const ORDER_PAID = 1
export const ORDER_CANCELLED = 2
export const ORDER_TIMED_OUT = 3

/** The backend (and Alipay) accept at most 128 characters and none of / = & or controls. */
export const SUBJECT_MAX_LENGTH = 128
// eslint-disable-next-line no-control-regex
const SUBJECT_FORBIDDEN = /[/=&\u0000-\u001f\u007f]/g

/** A course name made safe for an order subject: forbidden characters become spaces. */
export function cleanSubjectText(text) {
  return String(text ?? '')
    .replace(SUBJECT_FORBIDDEN, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * The order subject for the given courses ({name}): "Python 全栈开发入门" for one,
 * "Python 全栈开发入门 等2门课程" for several; the first name is shortened with "…" so the
 * whole subject stays within 128 characters (code points, as the backend counts them).
 */
export function orderSubject(courses) {
  if (!courses.length) return ''
  const suffix = courses.length > 1 ? ` 等${courses.length}门课程` : ''
  let name = Array.from(cleanSubjectText(courses[0].name) || '路飞学城课程')
  const room = SUBJECT_MAX_LENGTH - Array.from(suffix).length
  if (name.length > room) name = [...name.slice(0, room - 1).join('').trimEnd(), '…']
  return name.join('') + suffix
}

/** An order some money was given back for (its status stays "paid"). */
export function isRefunded(order) {
  return Boolean(order) && isPositiveAmount(order.refund_amount)
}

/** Some lines were refunded and some were not: the student keeps the rest of the courses. */
export function isPartlyRefunded(order) {
  const lines = order?.lines || []
  return lines.some((line) => line.refunded) && lines.some((line) => !line.refunded)
}
