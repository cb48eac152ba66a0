-- wrk script for scripts/loadtest.sh: a realistic mix of pages drawn from a file of
-- "group<TAB>path" lines (scripts/loadtest_paths.py), and a summary wrk can't print itself.
--   wrk -s scripts/loadtest.lua ... (LOADTEST_PATHS names the file)

-- Share of requests per group: people mostly land on permalinks, then search and click facets.
local weights = {
  permalink = 35, search_common = 10, search_rare = 10, facet = 20,
  subject = 8, briefing = 6, export = 6, home = 5,
}

local groups, paths, threads = {}, {}, {}

local function load()
  local file = assert(io.open(os.getenv("LOADTEST_PATHS"), "r"))
  for line in file:lines() do
    local group, path = line:match("^(%S+)\t(.+)$")
    if group then
      paths[group] = paths[group] or {}
      table.insert(paths[group], path)
    end
  end
  file:close()
  for group, weight in pairs(weights) do
    if paths[group] then
      for _ = 1, weight do table.insert(groups, group) end
    end
  end
end

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  load()
  math.randomseed(os.time() + id)
  bad = 0
  first_bad = ""
end

-- Permalinks and briefings arrive from links all over the web: any of them, evenly. Searches,
-- facet clicks, subject pages and exports repeat the way people's interests do: a few very
-- often, most rarely (the k-th of n is chosen with probability about 1/(k ln n)).
local uniform = { permalink = true, briefing = true }

function request()
  local group = groups[math.random(#groups)]
  local list = paths[group]
  local index
  if uniform[group] then
    index = math.random(#list)
  else
    index = math.floor((#list) ^ math.random())
  end
  return wrk.format("GET", list[index])
end

function response(status, headers, body)
  if status >= 400 then
    bad = bad + 1
    if first_bad == "" then first_bad = tostring(status) end
  end
end

function done(summary, latency, requests)
  local bad_total, first = 0, ""
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    if first == "" then first = thread:get("first_bad") end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f " ..
    "non_2xx_3xx=%d http_errors_seen=%d first_error_status=%s connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, bad_total, first ~= "" and first or "-",
    e.connect, e.read, e.write, e.timeout))
end
