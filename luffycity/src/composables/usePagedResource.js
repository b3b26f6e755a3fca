// Loads one page of a paginated endpoint, kept in sync with the `?page=` query.
import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { inferPageSize, toPage } from '@/utils/pagination'

export function usePagedResource(fetchPage) {
  const route = useRoute()
  const router = useRouter()
  const routeName = route.name
  const page = computed(() => toPage(route.query.page))
  const items = ref([])
  const count = ref(0)
  const pageSize = ref(10)
  const loading = ref(true)
  const error = ref(null)
  let requestId = 0

  async function load() {
    const id = ++requestId
    const requested = page.value
    let redirected = false
    loading.value = true
    error.value = null
    try {
      const data = await fetchPage({ page: requested })
      if (id !== requestId) return // a newer page was asked for meanwhile
      items.value = data.results || []
      count.value = data.count ?? items.value.length
      pageSize.value = inferPageSize({ page: requested, count: count.value, next: data.next, results: items.value })
    } catch (err) {
      if (id !== requestId) return
      items.value = []
      if (err.httpStatus === 404 && requested > 1 && route.name === routeName) {
        // Beyond the last page (e.g. the list shrank): go to page 1 instead of showing an
        // error whose retry would fail again. Stay "loading": the route change reloads.
        redirected = true
        router.replace({ query: { ...route.query, page: undefined } }).then((failure) => {
          if (failure && id === requestId) {
            error.value = err
            loading.value = false
          }
        })
        return
      }
      error.value = err
    } finally {
      if (id === requestId && !redirected) loading.value = false
    }
  }

  function setPage(next) {
    router.push({ query: { ...route.query, page: next > 1 ? String(next) : undefined } })
  }

  // Only react while this route is shown (not to the route we are leaving for).
  watch(
    () => (route.name === routeName ? page.value : null),
    (current) => {
      if (current !== null) load()
    },
    { immediate: true },
  )

  return { page, items, count, pageSize, loading, error, reload: load, setPage }
}
