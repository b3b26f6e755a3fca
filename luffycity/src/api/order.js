// Order endpoints: the pay methods, buy now, pay result poll, my orders, cancel.
import http from './http'

export const PAY_TYPE_ALIPAY = 1
export const PAY_TYPE_WECHAT = 2

/**
 * The pay methods the shop takes, in the order it offers them →
 * { methods: [{ pay_type, provider: "alipay" | "wechat", name, channels }] }. Public: no token
 * is sent (the answer is the same for everyone).
 */
export const fetchPayMethods = () => http.get('/order/pay-methods/', { skipAuth: true })

/**
 * Buy now / continue paying → { out_trade_no, pay_url, pay_type, channel, expire_time,
 * total_amount } plus `code_url` (the QR code's text) for WeChat's "native" channel.
 * `channel` picks the cashier: Alipay "page" (desktop, the default) or "wap" (phones);
 * WeChat "native" (a QR code shown on a desktop) or "h5" (phones).
 */
export const createPayment = ({
  subject,
  total_amount,
  courses,
  pay_type = PAY_TYPE_ALIPAY,
  channel = 'page',
}) => http.post('/order/pay/', { subject, total_amount, pay_type, courses, channel })

/**
 * The pay result poll. `params` are Alipay's return parameters, forwarded verbatim (or just
 * `{ out_trade_no }`: the backend then asks the provider itself while the order is unpaid).
 * Resolves with envelope status 0 (paid) or 1 (not paid yet); anything else rejects.
 */
export const fetchPayResult = (params) =>
  http.get('/order/success/', { params, acceptStatuses: [0, 1] })

export const fetchOrders = ({ page = 1 } = {}) => http.get('/order/', { params: { page } })

export const fetchOrder = (outTradeNo) => http.get(`/order/${encodeURIComponent(outTradeNo)}/`)

export const cancelOrder = (outTradeNo) =>
  http.post(`/order/${encodeURIComponent(outTradeNo)}/cancel/`)
