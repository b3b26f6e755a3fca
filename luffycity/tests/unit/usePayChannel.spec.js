import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { NARROW_QUERY, payChannel, TOUCH_QUERY, usePayChannel } from '@/composables/usePayChannel'

/** Pretend the device matches exactly these media queries. */
function device({ narrow, touch }) {
  const matching = new Set([narrow && NARROW_QUERY, touch && TOUCH_QUERY].filter(Boolean))
  vi.stubGlobal('matchMedia', (query) => ({
    matches: matching.has(query),
    addEventListener: () => {},
    removeEventListener: () => {},
  }))
}

function channelNow(method) {
  const scope = effectScope()
  const channel = scope.run(() => usePayChannel(method))
  const value = channel.value
  scope.stop()
  return value
}

describe('usePayChannel', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('sends a phone (touch and narrow) to the mobile-web cashier', () => {
    device({ narrow: true, touch: true })
    expect(channelNow()).toBe('wap')
  })

  it('keeps the desktop cashier for a narrow desktop window and a wide touch screen', () => {
    device({ narrow: true, touch: false })
    expect(channelNow()).toBe('page')
    device({ narrow: false, touch: true })
    expect(channelNow()).toBe('page')
  })

  it('uses the desktop cashier where media queries are unknown', () => {
    expect(channelNow()).toBe('page')
  })

  it("picks WeChat's QR code on a desktop and its H5 page on a phone", () => {
    expect(channelNow('wechat')).toBe('native')
    device({ narrow: true, touch: true })
    expect(channelNow('wechat')).toBe('h5')
    expect(channelNow(() => 'alipay')).toBe('wap')
  })

  it('maps every method and device to its channel', () => {
    expect(payChannel('alipay', false)).toBe('page')
    expect(payChannel('alipay', true)).toBe('wap')
    expect(payChannel('wechat', false)).toBe('native')
    expect(payChannel('wechat', true)).toBe('h5')
  })
})
