// The courses picked on the course list to buy together (kept for the tab's session, so the
// selection survives the detour through the login page).
import { computed, ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { centsToString, toCents } from '@/utils/money'

export const SELECTION_STORAGE_KEY = 'luffy.selection'
/** The backend takes at most 50 courses per order. */
export const SELECTION_MAX = 50

const snapshot = (course) => ({ id: course.id, name: course.name, price: course.price })

function validPrice(price) {
  try {
    toCents(price)
    return true
  } catch {
    return false
  }
}

function readStorage() {
  try {
    const saved = JSON.parse(window.sessionStorage.getItem(SELECTION_STORAGE_KEY) || '[]')
    return Array.isArray(saved) ? saved.filter((c) => c && c.id != null && validPrice(c.price)).map(snapshot) : []
  } catch {
    return [] // storage disabled or garbage in it
  }
}

function writeStorage(items) {
  try {
    if (items.length) window.sessionStorage.setItem(SELECTION_STORAGE_KEY, JSON.stringify(items))
    else window.sessionStorage.removeItem(SELECTION_STORAGE_KEY)
  } catch {
    /* see readStorage */
  }
}

export const useSelectionStore = defineStore('selection', () => {
  const items = ref(readStorage()) // [{ id, name, price }] in the order they were picked
  const count = computed(() => items.value.length)
  // Summed in integer cents: "149.50" + "99.00" is 24850 cents, never a float.
  const totalCents = computed(() => items.value.reduce((sum, course) => sum + toCents(course.price), 0))
  const total = computed(() => centsToString(totalCents.value))
  const isFull = computed(() => count.value >= SELECTION_MAX)

  const has = (id) => items.value.some((course) => course.id === id)

  /** Adds or removes a course; false when it cannot be added (owned, full, bad price). */
  function toggle(course, selected = !has(course.id)) {
    if (!selected) {
      remove(course.id)
      return true
    }
    if (has(course.id)) return true
    if (course.purchased || isFull.value || !validPrice(course.price)) return false
    items.value = [...items.value, snapshot(course)]
    return true
  }

  function remove(id) {
    items.value = items.value.filter((course) => course.id !== id)
  }

  function clear() {
    items.value = []
  }

  /** Refreshes the selection from a freshly loaded page: new names/prices, owned ones dropped. */
  function sync(courses) {
    const fresh = new Map(courses.map((course) => [course.id, course]))
    items.value = items.value.flatMap((course) => {
      const current = fresh.get(course.id)
      if (!current) return [course]
      if (current.purchased || !validPrice(current.price)) return []
      return [snapshot(current)]
    })
  }

  watch(items, writeStorage)

  return { items, count, total, totalCents, isFull, has, toggle, remove, clear, sync }
})
