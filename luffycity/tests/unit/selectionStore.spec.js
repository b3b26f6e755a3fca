import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { SELECTION_MAX, SELECTION_STORAGE_KEY, useSelectionStore } from '@/stores/selection'

const python = { id: 1, name: 'Python 全栈开发入门', price: '99.00', purchased: false }
const vue = { id: 2, name: 'Vue 3 前端工程化', price: '149.50', purchased: false }

describe('stores/selection', () => {
  beforeEach(() => {
    sessionStorage.clear()
    setActivePinia(createPinia())
  })

  it('toggles courses and totals them in cents', () => {
    const store = useSelectionStore()
    store.toggle(python)
    store.toggle(vue, true)
    expect(store.count).toBe(2)
    expect(store.totalCents).toBe(24850)
    expect(store.total).toBe('248.50')
    store.toggle(python) // off again
    expect(store.items).toEqual([{ id: 2, name: 'Vue 3 前端工程化', price: '149.50' }])
    store.toggle(vue, false)
    expect(store.total).toBe('0.00')
  })

  it('never adds an owned course or one with a malformed price', () => {
    const store = useSelectionStore()
    expect(store.toggle({ ...python, purchased: true })).toBe(false)
    expect(store.toggle({ ...vue, price: '1.999' })).toBe(false)
    expect(store.count).toBe(0)
  })

  it(`holds at most ${SELECTION_MAX} courses`, () => {
    const store = useSelectionStore()
    for (let id = 1; id <= SELECTION_MAX; id += 1) store.toggle({ id, name: `c${id}`, price: '1.00' })
    expect(store.isFull).toBe(true)
    expect(store.toggle({ id: 999, name: 'one more', price: '1.00' })).toBe(false)
    expect(store.count).toBe(SELECTION_MAX)
  })

  it('sync refreshes prices and drops courses bought meanwhile', () => {
    const store = useSelectionStore()
    store.toggle(python)
    store.toggle(vue)
    store.toggle({ id: 9, name: 'on another page', price: '1.00' })
    store.sync([{ ...python, purchased: true }, { ...vue, price: '139.50' }])
    expect(store.items.map((c) => [c.id, c.price])).toEqual([
      [2, '139.50'],
      [9, '1.00'],
    ])
  })

  it('survives a page load within the tab (sessionStorage)', async () => {
    useSelectionStore().toggle(vue)
    await nextTick() // the watcher writes
    expect(JSON.parse(sessionStorage.getItem(SELECTION_STORAGE_KEY))).toEqual([
      { id: 2, name: 'Vue 3 前端工程化', price: '149.50' },
    ])
    setActivePinia(createPinia())
    expect(useSelectionStore().total).toBe('149.50')
  })
})
