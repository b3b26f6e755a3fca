import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, ref } from 'vue'
import { formatRemaining, useCountdown } from '@/composables/useCountdown'

describe('formatRemaining', () => {
  it('shows mm:ss, hours when there are any, rounded up and never negative', () => {
    expect(formatRemaining(75_000)).toBe('01:15')
    expect(formatRemaining(74_001)).toBe('01:15')
    expect(formatRemaining(3_725_000)).toBe('1:02:05')
    expect(formatRemaining(0)).toBe('00:00')
    expect(formatRemaining(-5_000)).toBe('00:00')
  })
})

describe('useCountdown', () => {
  let scope
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-12-04T12:00:00Z'))
    scope = effectScope()
  })
  afterEach(() => {
    scope.stop()
    vi.useRealTimers()
  })

  it('counts down each second to time_expire (any offset) and then expires', async () => {
    // 20:02:00 in Beijing = 12:02:00 UTC: two minutes from now.
    const countdown = scope.run(() => useCountdown('2026-12-04T20:02:00+08:00'))
    expect(countdown.text.value).toBe('02:00')
    expect(countdown.expired.value).toBe(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(countdown.text.value).toBe('01:59')
    await vi.advanceTimersByTimeAsync(119_000)
    expect(countdown.text.value).toBe('00:00')
    expect(countdown.expired.value).toBe(true)
    expect(vi.getTimerCount()).toBe(0) // stopped ticking
  })

  it('follows a deadline ref and shows nothing for a missing or unreadable one', () => {
    const deadline = ref('')
    const countdown = scope.run(() => useCountdown(deadline))
    expect(countdown.text.value).toBe('')
    expect(countdown.expired.value).toBe(false)
    deadline.value = 'soon'
    expect(countdown.remainingMs.value).toBeNull()
    deadline.value = '2026-12-04T12:00:30Z'
    expect(countdown.text.value).toBe('00:30')
  })

  it('stops its timer with its scope', () => {
    scope.run(() => useCountdown('2026-12-04T13:00:00Z'))
    expect(vi.getTimerCount()).toBe(1)
    scope.stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})
