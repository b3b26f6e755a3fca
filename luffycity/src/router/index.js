// Routes (all lazy-loaded) and the login guard for `meta.requiresAuth`.
import { createRouter, createWebHistory } from 'vue-router'
import { useUserStore } from '@/stores/user'
import { safeRedirect } from '@/utils/navigation'

const PayResultView = () => import('@/views/PayResultView.vue')

export const routes = [
  {
    path: '/courses',
    alias: '/',
    name: 'courses',
    component: () => import('@/views/CourseListView.vue'),
    meta: { title: '全部课程' },
  },
  {
    // Registered before /course/:id so these static paths win.
    path: '/course/paysuccess',
    name: 'pay-result',
    component: PayResultView,
    meta: { title: '支付结果', requiresAuth: true },
  },
  {
    // The seed's misspelt return_url; kept so old links still land here.
    path: '/course/paysucess',
    name: 'pay-result-legacy',
    component: PayResultView,
    meta: { title: '支付结果', requiresAuth: true },
  },
  {
    path: '/course/:id(\\d+)',
    name: 'course-detail',
    component: () => import('@/views/CourseDetailView.vue'),
    props: true,
    meta: { title: '课程详情' },
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { title: '登录', guestOnly: true },
  },
  {
    path: '/register',
    name: 'register',
    component: () => import('@/views/RegisterView.vue'),
    meta: { title: '注册', guestOnly: true },
  },
  {
    path: '/my/orders',
    name: 'my-orders',
    component: () => import('@/views/MyOrdersView.vue'),
    meta: { title: '我的订单', requiresAuth: true },
  },
  {
    path: '/my/courses',
    name: 'my-courses',
    component: () => import('@/views/MyCoursesView.vue'),
    meta: { title: '我的课程', requiresAuth: true },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { title: '页面不存在' },
  },
]

/** The guard, exported for tests. */
export function authGuard(to) {
  const store = useUserStore()
  if (to.meta.requiresAuth && !store.isLoggedIn) {
    return { name: 'login', query: { redirect: to.fullPath } }
  }
  if (to.meta.guestOnly && store.isLoggedIn) {
    return safeRedirect(to.query.redirect)
  }
  return true
}

const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
})

router.beforeEach(authGuard)
router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 路飞学城` : '路飞学城'
})

export default router
