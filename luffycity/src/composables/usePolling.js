// Runs an async task now and then every `interval` ms until it says it is done.
import { getCurrentScope, onScopeDispose, ref } from 'vue'

/**
 * `task(attempt)` resolves true when finished, false to try again; a throw stops polling
 * and lands in `error`. After `maxAttempts` unfinished tries, `exhausted` turns true.
 * The delay grows by `backoff` per attempt, capped at `maxInterval`.
 */
export function usePolling(task, { interval = 2000, maxAttempts = 30, backoff = 1, maxInterval = 10000 } = {}) {
  const attempts = ref(0)
  const exhausted = ref(false)
  const error = ref(null)
  let timer = null
  let generation = 0 // bumps on start/stop so a late answer of an old run is ignored

  async function tick(run) {
    attempts.value += 1
    let done
    try {
      done = await task(attempts.value)
    } catch (err) {
      if (run !== generation) return
      error.value = err
      return
    }
    if (run !== generation) return
    if (done) return
    if (attempts.value >= maxAttempts) {
      exhausted.value = true
    } else {
      const delay = Math.min(interval * backoff ** (attempts.value - 1), maxInterval)
      timer = setTimeout(() => tick(run), delay)
    }
  }

  function stop() {
    generation += 1
    clearTimeout(timer)
    timer = null
  }

  function start() {
    stop()
    attempts.value = 0
    exhausted.value = false
    error.value = null
    tick(generation)
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { attempts, exhausted, error, start, stop }
}
