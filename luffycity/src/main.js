import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Styles of the Element Plus services called from scripts (templates get theirs on demand).
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles/base.css'
import App from './App.vue'
import router from './router'

const app = createApp(App)
app.use(createPinia()) // before the router: its guard reads the user store
app.use(router)
app.mount('#app')
