import { describe, expect, it } from 'vitest'
import { formatPrice, sumPrices, toCents } from '@/utils/money'
import { formatDateTime } from '@/utils/datetime'
import { inferPageSize, toPage } from '@/utils/pagination'
import { safeRedirect } from '@/utils/navigation'
import { fieldErrors } from '@/utils/errors'
import { isWeChatBrowser } from '@/utils/browser'
import { qrSvgDataUrl } from '@/utils/qrCode'

describe('money', () => {
  it('sums 2-decimal strings exactly', () => {
    expect(sumPrices(['0.10', '0.20'])).toBe('0.30') // 0.1 + 0.2 in float is 0.30000000000000004
    expect(sumPrices(['99.00', '199.9', '1'])).toBe('299.90')
    expect(sumPrices([])).toBe('0.00')
  })

  it('rejects malformed prices', () => {
    expect(() => toCents('9.999')).toThrow()
    expect(() => toCents('abc')).toThrow()
  })

  it('formats with ¥ and two decimals', () => {
    expect(formatPrice('99')).toBe('¥99.00')
    expect(formatPrice('0.5')).toBe('¥0.50')
  })
})

describe('formatDateTime', () => {
  it('shows Beijing time whatever the offset of the input', () => {
    expect(formatDateTime('2021-01-15T12:23:44+08:00')).toBe('2021-01-15 12:23:44')
    expect(formatDateTime('2021-01-15T04:23:44Z')).toBe('2021-01-15 12:23:44')
    expect(formatDateTime('2021-12-31T20:00:00.123456+00:00')).toBe('2022-01-01 04:00:00')
  })

  it('shows a dash for empty values', () => {
    expect(formatDateTime(null)).toBe('—')
  })
})

describe('pagination', () => {
  it('parses ?page=', () => {
    expect(toPage('3')).toBe(3)
    expect(toPage(undefined)).toBe(1)
    expect(toPage('-2')).toBe(1)
    expect(toPage('x')).toBe(1)
  })

  it('infers the page size from a full page or from count on the last page', () => {
    expect(inferPageSize({ page: 1, count: 25, next: 'n', results: new Array(10) })).toBe(10)
    expect(inferPageSize({ page: 3, count: 25, next: null, results: new Array(5) })).toBe(10)
    expect(inferPageSize({ page: 1, count: 4, next: null, results: new Array(4) })).toBe(4)
  })
})

describe('safeRedirect', () => {
  it('accepts in-app paths only', () => {
    expect(safeRedirect('/course/paysuccess?out_trade_no=1&sign=a%2Bb')).toBe(
      '/course/paysuccess?out_trade_no=1&sign=a%2Bb',
    )
    expect(safeRedirect('https://evil.example/')).toBe('/')
    expect(safeRedirect('//evil.example/')).toBe('/')
    expect(safeRedirect('/login?redirect=/x')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
  })
})

describe('fieldErrors', () => {
  it('flattens per-field error lists', () => {
    expect(fieldErrors({ errors: { username: ['已存在', '太短'], telephone: '格式错误' } })).toEqual({
      username: '已存在；太短',
      telephone: '格式错误',
    })
    expect(fieldErrors(new Error('x'))).toEqual({})
  })
})

describe('browser', () => {
  it("recognises WeChat's own browser by MicroMessenger in the user agent", () => {
    expect(isWeChatBrowser('Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 MicroMessenger/8.0.49.2600')).toBe(true)
    expect(isWeChatBrowser('Mozilla/5.0 (iPhone) Mobile/15E148 micromessenger/8.0.47')).toBe(true)
    expect(isWeChatBrowser('Mozilla/5.0 (iPhone) AlipayClient/10.5 Mobile Safari/604.1')).toBe(false)
    expect(isWeChatBrowser('')).toBe(false)
    expect(isWeChatBrowser()).toBe(false) // jsdom's own user agent
  })
})

describe('qrCode', () => {
  it('draws a QR code as an SVG data URL, a longer text giving a bigger code', async () => {
    const small = decodeURIComponent((await qrSvgDataUrl('weixin://wxpay/bizpayurl?pr=a')).split(',')[1])
    const big = decodeURIComponent((await qrSvgDataUrl(`weixin://wxpay/bizpayurl?pr=${'x'.repeat(200)}`)).split(',')[1])
    expect(small).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* viewBox="0 0 (\d+) \1"/)
    const side = (svg) => Number(/viewBox="0 0 (\d+)/.exec(svg)[1])
    expect(side(big)).toBeGreaterThan(side(small))
    expect(small).not.toMatch(/<script/)
  })
})
