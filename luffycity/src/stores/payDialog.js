// The payment dialogs App.vue shows over any page: WeChat's QR code (desktop), and the notice
// that WeChat's own browser cannot pay by WeChat H5. Both components load lazily.
import { ref } from 'vue'
import { defineStore } from 'pinia'

export const usePayDialogStore = defineStore('payDialog', () => {
  /** The buy-now answer of a WeChat "native" payment ({ out_trade_no, code_url, ... }). */
  const qrPayment = ref(null)
  /** { payWithAlipay() } while the in-WeChat notice is open. */
  const wechatBrowser = ref(null)

  function showQr(payment) {
    wechatBrowser.value = null
    qrPayment.value = payment
  }

  function showWechatBrowserNotice({ payWithAlipay }) {
    qrPayment.value = null
    wechatBrowser.value = { payWithAlipay }
  }

  function close() {
    qrPayment.value = null
    wechatBrowser.value = null
  }

  return { qrPayment, wechatBrowser, showQr, showWechatBrowserNotice, close }
})
