// Buy now / continue paying: create (or reuse) the order, then go to the Alipay cashier.
import { computed, onBeforeUnmount, onMounted, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ElMessage } from 'element-plus'
import { createPayment } from '@/api/order'
import { useUserStore } from '@/stores/user'
import { usePayChannel } from '@/composables/usePayChannel'
import { sumPrices } from '@/utils/money'
import { goToExternal } from '@/utils/navigation'
import { orderSubject } from '@/utils/order'

export function useBuyNow() {
  const store = useUserStore()
  const router = useRouter()
  const route = useRoute()
  /** "wap" on phones (Alipay's mobile-web cashier), "page" elsewhere. */
  const channel = usePayChannel()
  /** Which button is busy (a course id or an order number); null when idle. */
  const pendingKey = ref(null)
  const buying = computed(() => pendingKey.value !== null)

  async function pay(payload, key) {
    if (buying.value) return false
    if (!store.isLoggedIn) {
      ElMessage.warning('请先登录')
      router.push({ name: 'login', query: { redirect: route.fullPath } })
      return false
    }
    pendingKey.value = key
    try {
      const data = await createPayment({ ...payload, channel: channel.value })
      if (!data.pay_url) throw new Error('未获取到支付链接，请稍后再试')
      // Stay "busy" while the browser leaves for the cashier page.
      goToExternal(data.pay_url)
      return true
    } catch (err) {
      ElMessage.error(err.message || '下单失败，请稍后再试')
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

  /** Re-posts an unpaid order; the backend answers with the same order and a fresh pay_url. */
  function continuePayment(order) {
    return pay(
      {
        subject: order.subject,
        total_amount: order.total_amount,
        courses: order.lines.map((line) => line.course_id),
      },
      order.out_trade_no,
    )
  }

  // Coming back from the cashier with the Back button may restore this page from the
  // bfcache with the buttons still busy.
  const onPageShow = (event) => {
    if (event.persisted) pendingKey.value = null
  }
  onMounted(() => window.addEventListener('pageshow', onPageShow))
  onBeforeUnmount(() => window.removeEventListener('pageshow', onPageShow))

  return { buying, pendingKey, buyCourses, continuePayment }
}
