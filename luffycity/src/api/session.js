// The login session as the HTTP layer sees it: built from the user store and the router by
// main.js (and by tests), so api/http.js needs to import neither.

/** configureAuth() handlers backed by the user `store` and the `router`. */
export function sessionAuth(store, router) {
  return {
    token: () => store.token,
    refresh: (refused) => store.refreshToken(refused),
    clear: () => store.logout(),
    toLogin: () => {
      const current = router.currentRoute.value
      if (current.name === 'login') return
      router.push({ name: 'login', query: { redirect: current.fullPath } })
    },
  }
}
