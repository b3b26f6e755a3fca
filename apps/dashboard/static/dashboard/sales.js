// Draws the sales dashboard's four charts from the JSON the page carries (no inline script: CSP).
;(function () {
  const source = document.getElementById('dashboard-data')
  if (!source) return
  const data = JSON.parse(source.textContent)
  if (typeof window.Chart === 'undefined') {
    // Chart.js is copied into static files by `make spa`; without it the table still tells all.
    document.querySelector('.dashboard-table')?.setAttribute('open', '')
    return
  }
  const Chart = window.Chart
  Chart.defaults.animation = false
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily
  const colors = {
    created: '#417690',
    paid: '#2e9f4c',
    cancelled: '#9aa0a6',
    timedOut: '#e6a23c',
    revenue: '#2e9f4c',
    refunds: '#d9534f',
    notify: '#417690',
    query: '#e6a23c',
    statement: '#d9534f',
  }
  const line = (label, values, color, extra = {}) => ({
    type: 'line', label, data: values, borderColor: color, backgroundColor: color,
    pointRadius: 2, tension: 0, spanGaps: false, ...extra,
  })
  const bar = (label, values, color, extra = {}) => ({
    type: 'bar', label, data: values, backgroundColor: color, ...extra,
  })
  const common = { interaction: { mode: 'index', intersect: false }, plugins: { legend: { position: 'bottom' } } }
  const draw = (id, datasets, options = {}) => {
    const canvas = document.getElementById(id)
    return new Chart(canvas, { data: { labels: data.labels, datasets }, options: { ...common, ...options } })
  }

  draw('chart-orders', [
    line('下单', data.created, colors.created),
    line('已支付', data.paid, colors.paid),
    line('超时取消', data.timed_out, colors.timedOut),
    line('已取消', data.cancelled, colors.cancelled),
  ], { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } })
  draw('chart-money', [
    bar('收入', data.revenue, colors.revenue),
    bar('退款', data.refunds, colors.refunds),
  ], { scales: { y: { beginAtZero: true } } })
  draw('chart-rate', [line('支付成功率', data.success_rate, colors.paid, { fill: false })],
    { scales: { y: { min: 0, max: 100 } } })
  draw('chart-settled', [
    bar('通知确认', data.settled_notify, colors.notify, { stack: 'settled' }),
    bar('查询补单', data.settled_query, colors.query, { stack: 'settled' }),
    bar('对账单补单', data.settled_statement, colors.statement, { stack: 'settled' }),
    line('收到通知', data.notifies, '#333', { borderDash: [4, 3] }),
  ], { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } })
  document.getElementById('sales-dashboard').dataset.drawn = 'yes'
})()
