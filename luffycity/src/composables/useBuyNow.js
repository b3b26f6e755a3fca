// Buy now / continue paying: create (or reuse) the order with the student's pay method, then
// go to its cashier: Alipay's page (desktop) or mobile-web cashier (phone), WeChat's QR code in
// a dialog (desktop) or WeChat's H5 page (phone).
import { computed, onBeforeUnmount, onMounted, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ElMessage } from 'element-plus'
import { createPayment } from '@/api/order'
import { useUserStore } from '@/stores/user'
import { methodOfPayType, payMethodOf, usePayMethodStore } from '@/stores/payMethod'
import { usePayDialogStore } from '@/stores/payDialog'
import { payChannel, useIsPhone } from '@/composables/usePayChannel'
import { isWeChatBrowser } from '@/utils/browser'
import { sumPrices } from '@/utils/money'
import { goToExternal } from '@/utils/navigation'
import { orderSubject } from '@/utils/order'

/** The backend refused the pay method itself (that provider is switched off there). */
const refusesPayType = (err) => err.httpStatus === 400 && Boolean(err.errors?.pay_type)

export function useBuyNow() {
  const store = useUserStore()
  const router = useRouter()
  const route = useRoute()
  const payMethod = usePayMethodStore()
  const payDialog = usePayDialogStore()
  const phone = useIsPhone()
  /** Which button is busy (a course id or an order number); null when idle. */
  const pendingKey = ref(null)
  const buying = computed(() => pendingKey.value !== null)

  /** `method`: "alipay" | "wechat" (default: the student's remembered choice). */
  async function pay(payload, key, method = payMethod.method) {
    if (buying.value) return false
    if (!store.isLoggedIn) {
      ElMessage.warning('请先登录')
      router.push({ name: 'login', query: { redirect: route.fullPath } })
      return false
    }
    if (method === 'wechat' && phone.value && isWeChatBrowser()) {
      // WeChat refuses H5 pay inside its own browser: no order is placed for nothing.
      payDialog.showWechatBrowserNotice({
        payWithAlipay: () => {
          payMethod.choose('alipay')
          return pay(payload, key, 'alipay')
        },
      })
      return false
    }
    pendingKey.value = key
    try {
      const { payType } = payMethodOf(method)
      const channel = payChannel(method, phone.value)
      const data = await createPayment({ ...payload, pay_type: payType, channel })
      if ((data.channel || channel) === 'native') {
        if (!data.code_url) throw new Error('未获取到支付二维码，请稍后再试')
        payDialog.showQr({ ...data, total_amount: data.total_amount || payload.total_amount })
        pendingKey.value = null
        return true
      }
      if (!data.pay_url) throw new Error('未获取到支付链接，请稍后再试')
      // Stay "busy" while the browser leaves for the cashier page.
      goToExternal(data.pay_url)
      return true
    } catch (err) {
      if (refusesPayType(err)) {
        payMethod.markUnavailable(method)
        ElMessage.error(`${payMethodOf(method).label}暂不可用，请选择其他支付方式`)
      } else {
        ElMessage.error(err.message || '下单失败，请稍后再试')
      }
      pendingKey.value = null
      return false
    }
  }

  /**
   * Buys the given courses ({id, name, price}) in one order. `key` names the busy button
   * (default: the course id for one course, 'cart' for several).
   */
  function buyCourses(courses, key = courses.length === 1 ? courses[0].id : 'cart') {
    if (!courses.length) return Promise.resolve(false)
    let total_amount
    try {
      total_amount = sumPrices(courses.map((course) => course.price)) // integer cents inside
    } catch {
      ElMessage.error('课程价格有误，请刷新页面后重试')
      return Promise.resolve(false)
    }
    return pay(
      {
        subject: orderSubject(courses),
        total_amount,
        courses: courses.map((course) => course.id),
      },
      key,
    )
  }

  /**
   * Re-posts an unpaid order with the method it was placed with (else the remembered one); the
   * backend answers with the same order and a fresh pay_url / code_url.
   */
  function continuePayment(order) {
    const method = methodOfPayType(order.pay_type)
    return pay(
      {
        subject: order.subject,
        total_amount: order.total_amount,
        courses: order.lines.map((line) => line.course_id),
      },
      order.out_trade_no,
      method && payMethod.isAvailable(method) ? method : payMethod.method,
    )
  }

  // The methods the shop takes (once per page load): continuePayment and the picker need them.
  onMounted(payMethod.load)

  // Coming back from the cashier with the Back button may restore this page from the
  // bfcache with the buttons still busy.
  const onPageShow = (event) => {
    if (event.persisted) pendingKey.value = null
  }
  onMounted(() => window.addEventListener('pageshow', onPageShow))
  onBeforeUnmount(() => window.removeEventListener('pageshow', onPageShow))

  return { buying, pendingKey, buyCourses, continuePayment }
}
