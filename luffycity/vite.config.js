// Vite + Vitest config for the luffy front end.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, loadEnv } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '')
  const apiBase = env.VITE_API_BASE || '/api'
  const backend = env.VITE_PROXY_TARGET || 'http://127.0.0.1:8000'
  // Same-origin API (the default): forward backend paths to Django. An absolute
  // VITE_API_BASE means the browser talks to the backend directly, so no proxy.
  const proxied = /^https?:\/\//.test(apiBase) ? [] : [apiBase, '/admin', '/static']
  const proxy = Object.fromEntries(
    // changeOrigin stays false so Django sees the browser's Host and its
    // Origin/CSRF checks (admin login) match.
    proxied.map((path) => [path, { target: backend, changeOrigin: false, xfwd: true }]),
  )

  return {
    base: '/',
    plugins: [
      vue(),
      // Element Plus is imported per component (+ its CSS) as templates use it.
      Components({ dirs: [], dts: false, resolvers: [ElementPlusResolver()] }),
    ],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
    preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
    build: {
      outDir: 'dist',
      // scripts/check-bundle.mjs reads dist/.vite/manifest.json
      manifest: true,
      rolldownOptions: {
        output: {
          // The framework in one long-cached, readably named chunk; everything else
          // (Element Plus parts included) is split by use, so lazy pages stay lazy.
          codeSplitting: {
            groups: [{ name: 'vue-vendor', test: /node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]/ }],
          },
        },
      },
    },
    test: {
      environment: 'jsdom',
      pool: 'threads',
      include: ['src/**/__tests__/**/*.spec.js', 'tests/unit/**/*.spec.js'],
      setupFiles: ['tests/unit/setup.js'],
      // Element Plus must go through Vite: its style modules import CSS, and loaded natively
      // it would get a second copy of Vue (provide/inject between ElForm and ElFormItem breaks).
      server: { deps: { inline: [/element-plus/] } },
      mockReset: true,
      restoreMocks: true,
    },
  }
})
