import { describe, expect, it } from 'vitest'
import { isRefunded, orderSubject, SUBJECT_MAX_LENGTH } from '@/utils/order'
import { isPositiveAmount, sumPrices } from '@/utils/money'
import { formErrors } from '@/utils/errors'

describe('orderSubject', () => {
  it('is the course name for one course and "<first> 等N门课程" for several', () => {
    expect(orderSubject([{ name: 'Go 语言入门' }])).toBe('Go 语言入门')
    expect(orderSubject([{ name: 'Python 全栈开发入门' }, { name: 'Vue 3 前端工程化' }])).toBe(
      'Python 全栈开发入门 等2门课程',
    )
  })

  it('drops the characters Alipay refuses (/ = & and controls)', () => {
    const subject = orderSubject([{ name: 'C/C++ = 基础 & 进阶\t' }, { name: 'x' }, { name: 'y' }])
    expect(subject).toBe('C C++ 基础 进阶 等3门课程')
    // eslint-disable-next-line no-control-regex -- control characters are what is checked
    expect(subject).not.toMatch(/[/=&\u0000-\u001f]/)
  })

  it('shortens a long first name so the subject fits in 128 characters (code points)', () => {
    const long = '𝒫'.repeat(200) // astral characters: 2 UTF-16 units, 1 code point each
    const subject = orderSubject([{ name: long }, { name: 'b' }])
    expect(Array.from(subject)).toHaveLength(SUBJECT_MAX_LENGTH)
    expect(subject.endsWith('… 等2门课程')).toBe(true)
    expect(Array.from(orderSubject([{ name: 'a'.repeat(300) }]))).toHaveLength(SUBJECT_MAX_LENGTH)
  })
})

describe('money for several courses', () => {
  it('sums the selected prices in cents', () => {
    expect(sumPrices(['149.50', '99.00'])).toBe('248.50')
    expect(sumPrices(['0.10', '0.20', '0.30'])).toBe('0.60') // floats would say 0.6000000000000001
  })

  it('knows a positive amount', () => {
    expect(isPositiveAmount('0.00')).toBe(false)
    expect(isPositiveAmount('0.01')).toBe(true)
    expect(isPositiveAmount(undefined)).toBe(false)
    expect(isPositiveAmount('abc')).toBe(false)
  })
})

describe('isRefunded', () => {
  it('is true only when some money was given back', () => {
    expect(isRefunded({ refund_amount: '99.00' })).toBe(true)
    expect(isRefunded({ refund_amount: '0.00' })).toBe(false)
    expect(isRefunded({})).toBe(false)
    expect(isRefunded(null)).toBe(false)
  })
})

describe('formErrors', () => {
  const error = Object.assign(new Error('username: 该用户名已存在'), {
    errors: { username: ['该用户名已存在'], non_field_errors: ['x'] },
  })

  it('keeps the errors of the form\'s own fields and toasts the first of them', () => {
    expect(formErrors(error, ['username', 'password'])).toEqual({
      fields: { username: '该用户名已存在' },
      toast: '该用户名已存在',
    })
  })

  it('falls back to the server message, then to the fallback', () => {
    expect(formErrors(error, ['telephone'])).toEqual({ fields: {}, toast: 'username: 该用户名已存在' })
    expect(formErrors(new Error(''), ['a'], '注册失败')).toEqual({ fields: {}, toast: '注册失败' })
  })
})
