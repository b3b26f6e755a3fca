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
      error.value = err
    } finally {
      if (id === requestId) loading.value = false
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
