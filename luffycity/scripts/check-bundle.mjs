// Fails the build when the initial JS (entry chunk + its static imports) is too big.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const DIST = fileURLToPath(new URL('../dist/', import.meta.url))
const LIMIT_KB = Number(process.env.BUNDLE_LIMIT_KB || 150)

const manifest = JSON.parse(readFileSync(join(DIST, '.vite/manifest.json'), 'utf8'))
const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry)
if (entries.length === 0) {
  console.error('check-bundle: no entry chunk in dist/.vite/manifest.json')
  process.exit(1)
}

// Walk static `imports` only; `dynamicImports` are the lazy routes.
const files = new Set()
const seen = new Set()
const visit = (key) => {
  if (seen.has(key)) return
  seen.add(key)
  const chunk = manifest[key]
  if (chunk.file.endsWith('.js')) files.add(chunk.file)
  for (const dep of chunk.imports || []) visit(dep)
}
entries.forEach(visit)

let total = 0
for (const file of [...files].sort()) {
  const size = gzipSync(readFileSync(join(DIST, file))).length
  total += size
  console.log(`  ${file.padEnd(44)} ${(size / 1000).toFixed(2).padStart(8)} kB gzip`)
}
const totalKb = total / 1000
console.log(`Initial JS: ${totalKb.toFixed(2)} kB gzip (limit ${LIMIT_KB} kB, ${files.size} file(s))`)
if (totalKb > LIMIT_KB) {
  console.error(`check-bundle: initial JS exceeds ${LIMIT_KB} kB gzip`)
  process.exit(1)
}
