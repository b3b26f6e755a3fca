// A ticking countdown to a deadline (ISO 8601), e.g. a WeChat payment's time_expire.
import { computed, getCurrentScope, onScopeDispose, ref, toValue } from 'vue'

const pad = (n) => String(n).padStart(2, '0')

/** 75_000 → "01:15"; 3_725_000 → "1:02:05" (whole seconds, rounded up; never negative). */
export function formatRemaining(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const hours = Math.floor(total / 3600)
  const rest = `${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`
  return hours ? `${hours}:${rest}` : rest
}

/**
 * `deadline`: an ISO string (or a ref/getter of one). `remainingMs` is null when the deadline
 * is missing or unreadable (nothing is shown then and it never "expires").
 */
export function useCountdown(deadline, { tick = 1000, now = () => Date.now() } = {}) {
  const current = ref(now())
  const remainingMs = computed(() => {
    const time = Date.parse(toValue(deadline) || '')
    return Number.isNaN(time) ? null : Math.max(0, time - current.value)
  })
  const expired = computed(() => remainingMs.value === 0)
  const text = computed(() => (remainingMs.value === null ? '' : formatRemaining(remainingMs.value)))

  const timer = setInterval(() => {
    current.value = now()
    if (expired.value) clearInterval(timer) // nothing left to count
  }, tick)
  if (getCurrentScope()) onScopeDispose(() => clearInterval(timer))

  return { remainingMs, expired, text }
}
