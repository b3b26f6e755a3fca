import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import {
  methodOfPayType,
  PAY_METHOD_STORAGE_KEY,
  usePayMethodStore,
} from '@/stores/payMethod'

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
})
