-- Replays pre-generated requests and checks every answer (status and body).
--
--   wrk -t2 -c16 -d8s -s replay.lua URL -- ENDPOINT REQUEST_FILE THREADS [cycle]
--
-- REQUEST_FILE has one request a line: METHOD \t PATH \t AUTHORIZATION \t CONTENT-TYPE \t BODY.
-- Thread k of THREADS sends lines k, k+THREADS, ... once each, so a request that must be unique
-- (a buy, a notify) is sent once; `cycle` starts over at the end (reads can repeat). A wrong
-- answer counts in `wrong`; done() prints one JSON line for benchmarks/http_bench.py.

local function has(body, text) return string.find(body, text, 1, true) ~= nil end

local function count(body, text)
  local n, from = 0, 1
  while true do
    local at = string.find(body, text, from, true)
    if not at then return n end
    n, from = n + 1, at + #text
  end
end

-- What a right answer looks like, per endpoint (DRF renders compact JSON: no spaces).
local checks = {
  reference = function(s, b) return s == 200 and has(b, '"status":0') and has(b, '"username":"') end,
  buy_now = function(s, b)
    return s == 201 and has(b, '"status":0') and has(b, '"out_trade_no":"') and has(b, '"pay_url":"http')
  end,
  notify = function(s, b) return s == 200 and b == "success" end,
  poll = function(s, b) return s == 200 and has(b, '"status":0') and has(b, '"order_status":1') end,
  my_orders = function(s, b)
    return s == 200 and has(b, '"status":0') and count(b, '"out_trade_no":') == 10 and has(b, '"lines":[{')
  end,
  login = function(s, b) return s == 200 and has(b, '"status":0') and has(b, '"token":"') end,
}

local threads, started = {}, 0

function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  check = checks[args[1]]
  assert(check, "unknown endpoint " .. tostring(args[1]))
  local nthreads, line_no = tonumber(args[3]), 0
  cycle = args[4] == "cycle"
  requests, total, next_index, wrong, exhausted, first_wrong = {}, 0, 0, 0, 0, ""
  for line in io.lines(args[2]) do
    if line_no % nthreads == thread_index then
      local method, path, auth, ctype, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if auth ~= "" then headers["Authorization"] = auth end
      if ctype ~= "" then headers["Content-Type"] = ctype end
      total = total + 1
      requests[total] = wrk.format(method, path, headers, body ~= "" and body or nil)
    end
    line_no = line_no + 1
  end
  assert(total > 0, "no requests for this thread in " .. args[2])
end

function request()
  next_index = next_index + 1
  if next_index > total then
    if not cycle then
      -- Never send a unique request twice: stop this thread (the harness reports it).
      exhausted = 1
      wrk.thread:stop()
    end
    next_index = 1
  end
  return requests[next_index]
end

function response(status, headers, body)
  if not check(status, body) then
    wrong = wrong + 1
    if first_wrong == "" then first_wrong = status .. " " .. string.sub(body, 1, 300) end
  end
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, _)
  local wrong_total, exhausted_threads, sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    wrong_total = wrong_total + thread:get("wrong")
    exhausted_threads = exhausted_threads + thread:get("exhausted")
    if sample == "" then sample = thread:get("first_wrong") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"wrong":%d,' ..
    '"socket_errors":%d,"status_errors":%d,"exhausted_threads":%d,"first_wrong":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), wrong_total,
    e.connect + e.read + e.write + e.timeout, e.status, exhausted_threads, json_string(sample)))
end
