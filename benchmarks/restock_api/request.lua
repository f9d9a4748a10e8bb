-- wrk script: POST /v1/restock-requests, 20 lines each, a different warung key per request,
-- and a fresh Idempotency-Key. Warungs and bodies come from the file named by $BENCH_DATA
-- (lines "satker_id warung_id key"; then "#" and one JSON body per line).
local warungs, bodies = {}, {}
local counter = 0
local threads = {}
local idempotent = os.getenv("BENCH_NO_IDEMPOTENCY") == nil

-- Each thread gets its own number (the global ``tid``), so the two threads neither seed the
-- same random sequence nor make the same Idempotency-Keys: twin requests would be replays,
-- and the second of each pair would wait on the first's uncommitted idempotency row.
local next_tid = 0
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
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
  math.randomseed(os.time() + tid * 7919)
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

