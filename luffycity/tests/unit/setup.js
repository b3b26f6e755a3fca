// Global test setup.
// jsdom lacks scrolling, which the router's scrollBehavior uses.
window.scrollTo = () => {}
// async-validator (ElForm) logs every failed rule to the console outside production builds.
globalThis.ASYNC_VALIDATOR_NO_WARNING = 1
