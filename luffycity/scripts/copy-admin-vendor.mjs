// Copies the Django admin's third-party browser files out of node_modules into dist/admin-vendor/,
// which Django serves as static files under /static/vendor/ (luffyapi/settings/base.py).
// The admin's sales dashboard draws with Chart.js's UMD build: served from our origin, no CDN,
// so the Content-Security-Policy stays `script-src 'self'`. Versions are pinned in package.json.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const OUT = join(ROOT, 'dist', 'admin-vendor')
const FILES = [
  ['node_modules/chart.js/dist/chart.umd.min.js', 'chartjs/chart.umd.min.js'],
  ['node_modules/chart.js/LICENSE.md', 'chartjs/LICENSE.md'],
]

for (const [from, to] of FILES) {
  mkdirSync(dirname(join(OUT, to)), { recursive: true })
  copyFileSync(join(ROOT, from), join(OUT, to))
  console.log(`admin vendor: ${to}`)
}
