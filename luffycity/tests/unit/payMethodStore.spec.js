import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'

vi.mock('@/api/order', () => ({ PAY_TYPE_ALIPAY: 1, PAY_TYPE_WECHAT: 2, fetchPayMethods: vi.fn() }))

const { fetchPayMethods } = await import('@/api/order')
const { methodOfPayType, PAY_METHOD_STORAGE_KEY, usePayMethodStore } = await import('@/stores/payMethod')

const method = (provider, pay_type) => ({ pay_type, provider, name: provider, channels: [] })
const shopTakes = (...providers) =>
  fetchPayMethods.mockResolvedValue({
    status: 0,
    methods: providers.map((provider) => method(provider, provider === 'alipay' ? 1 : 2)),
  })

describe('stores/payMethod', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('starts with Alipay and remembers the choice across visits', async () => {
    expect(usePayMethodStore().method).toBe('alipay')
    expect(usePayMethodStore().current.payType).toBe(1)
    expect(usePayMethodStore().choose('wechat')).toBe(true)
    await nextTick()
    expect(localStorage.getItem(PAY_METHOD_STORAGE_KEY)).toBe('wechat')

    setActivePinia(createPinia()) // a new visit
    expect(usePayMethodStore().method).toBe('wechat')
    expect(usePayMethodStore().current).toMatchObject({ label: '微信支付', payType: 2 })
  })

  it('ignores an unknown stored or chosen method', () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'paypal')
    const store = usePayMethodStore()
    expect(store.method).toBe('alipay')
    expect(store.choose('paypal')).toBe(false)
    expect(store.method).toBe('alipay')
  })

  it('stops offering a method the backend refused and falls back to another', () => {
    const store = usePayMethodStore()
    store.choose('wechat')
    store.markUnavailable('wechat')
    expect(store.method).toBe('alipay')
    expect(store.isAvailable('wechat')).toBe(false)
    expect(store.choose('wechat')).toBe(false)
    expect(store.unavailable).toEqual(['wechat'])
  })

  it('maps an order pay_type back to its method', () => {
    expect(methodOfPayType(1)).toBe('alipay')
    expect(methodOfPayType(2)).toBe('wechat')
    expect(methodOfPayType(9)).toBeUndefined()
  })

  it('reads the shop\'s methods once, and offers them in its order', async () => {
    shopTakes('wechat', 'alipay')
    const store = usePayMethodStore()
    expect(store.ready).toBe(false)
    await Promise.all([store.load(), store.load()])
    await store.load()
    expect(fetchPayMethods).toHaveBeenCalledTimes(1)
    expect(store.ready).toBe(true)
    expect(store.offered.map((m) => m.value)).toEqual(['wechat', 'alipay'])
  })

  it('keeps the remembered method only if the shop takes it, without forgetting it', async () => {
    localStorage.setItem(PAY_METHOD_STORAGE_KEY, 'wechat')
    shopTakes('alipay')
    const store = usePayMethodStore()
    expect(store.method).toBe('wechat') // not known yet: buy-now's 400 would tell
    await store.load()
    expect(store.method).toBe('alipay')
    expect(store.current.payType).toBe(1)
    expect(store.isAvailable('wechat')).toBe(false)
    expect(store.choose('wechat')).toBe(false)
    await nextTick()
    expect(localStorage.getItem(PAY_METHOD_STORAGE_KEY)).toBe('wechat')

    setActivePinia(createPinia()) // a later visit, WeChat Pay on again
    shopTakes('alipay', 'wechat')
    const later = usePayMethodStore()
    await later.load()
    expect(later.method).toBe('wechat')
  })

  it('falls back to the shop\'s first method, whatever its order', async () => {
    shopTakes('wechat')
    const store = usePayMethodStore()
    await store.load()
    expect(store.method).toBe('wechat')
    expect(store.offered.map((m) => m.value)).toEqual(['wechat'])
  })

  it('ignores a method this front end does not know', async () => {
    fetchPayMethods.mockResolvedValue({ status: 0, methods: [method('paypal', 9), method('alipay', 1)] })
    const store = usePayMethodStore()
    await store.load()
    expect(store.offered.map((m) => m.value)).toEqual(['alipay'])
  })

  it('offers every known method when the list cannot be read, and asks again next time', async () => {
    fetchPayMethods.mockRejectedValueOnce(new Error('network'))
    const store = usePayMethodStore()
    await store.load()
    expect(store.ready).toBe(true)
    expect(store.offered.map((m) => m.value)).toEqual(['alipay', 'wechat'])

    shopTakes('alipay')
    await store.load()
    expect(fetchPayMethods).toHaveBeenCalledTimes(2)
    expect(store.offered.map((m) => m.value)).toEqual(['alipay'])
  })
})
