import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Styles of the Element Plus services called from scripts (templates get theirs on demand).
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles/base.css'
import App from './App.vue'
import { configureAuth } from './api/http'
import { sessionAuth } from './api/session'
import router from './router'
import { useUserStore } from './stores/user'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia) // before the router: its guard reads the user store
app.use(router)
configureAuth(sessionAuth(useUserStore(pinia), router))
app.mount('#app')
