// A reactive `window.matchMedia(query).matches` (false where matchMedia is missing, e.g. jsdom).
import { getCurrentScope, onScopeDispose, ref } from 'vue'

export function useMediaQuery(query) {
  const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null
  const matches = ref(media ? media.matches : false)
  if (media) {
    const onChange = (event) => {
      matches.value = event.matches
    }
    media.addEventListener('change', onChange)
    if (getCurrentScope()) onScopeDispose(() => media.removeEventListener('change', onChange))
  }
  return matches
}
