-- wrk script: POST /v1/restock-requests, 20 lines each, a different warung key per request,
-- and a fresh Idempotency-Key. Warungs and bodies come from the file named by $BENCH_DATA
-- (lines "satker_id warung_id key"; then "#" and one JSON body per line).
local warungs, bodies = {}, {}
local counter = 0
local tid = 0
local threads = {}
local idempotent = os.getenv("BENCH_NO_IDEMPOTENCY") == nil

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("BENCH_DATA")
  local section = 1
  for line in io.lines(path) do
    if line == "#" then
      section = 2
    elseif section == 1 then
      local s, w, k = line:match("(%d+) (%d+) (%S+)")
      table.insert(warungs, {s, w, k})
    else
      table.insert(bodies, line)
    end
  end
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  counter = counter + 1
  local w = warungs[math.random(#warungs)]
  local body = bodies[math.random(#bodies)]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. w[3],
    ["X-Satker"] = w[1],
    ["X-Warung"] = w[2],
  }
  if idempotent then
    headers["Idempotency-Key"] = "bench-" .. tostring(tid) .. "-" .. tostring(os.time()) .. "-" .. tostring(counter)
  end
  return wrk.format("POST", "/v1/restock-requests", headers, body)
end
