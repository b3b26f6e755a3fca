// Order endpoints: buy now, pay result poll, my orders, cancel.
import http from './http'

export const PAY_TYPE_ALIPAY = 1

/**
 * Buy now / continue paying → { out_trade_no, pay_url }. `channel` picks Alipay's cashier:
 * "page" (desktop, the default) or "wap" (phones).
 */
export const createPayment = ({
  subject,
  total_amount,
  courses,
  pay_type = PAY_TYPE_ALIPAY,
  channel = 'page',
}) => http.post('/order/pay/', { subject, total_amount, pay_type, courses, channel })

/**
 * The pay result poll. `params` are Alipay's return parameters, forwarded verbatim.
 * Resolves with envelope status 0 (paid) or 1 (not paid yet); anything else rejects.
 */
export const fetchPayResult = (params) =>
  http.get('/order/success/', { params, acceptStatuses: [0, 1] })

export const fetchOrders = ({ page = 1 } = {}) => http.get('/order/', { params: { page } })

export const fetchOrder = (outTradeNo) => http.get(`/order/${encodeURIComponent(outTradeNo)}/`)

export const cancelOrder = (outTradeNo) =>
  http.post(`/order/${encodeURIComponent(outTradeNo)}/cancel/`)
