-- wrk script: one new post per request, the same content on both sides (bench/peer/).
--
--   PEER_BODY_FILE  a JSON body in which every "{n}" is replaced by a number of its own
--                   (compare.py writes one for WordPress's REST API and one for Micropub)
--   PEER_AUTH       the Authorization header: "Basic ..." (a WordPress application
--                   password) or "Bearer ..." (a hub Micropub token)
--   PEER_RUN        a prefix that keeps this run's slugs apart from earlier runs'
--
-- WordPress:  PEER_BODY_FILE=wp.json PEER_AUTH="Basic $(printf peer:PASSWORD | base64)" \
--               wrk -t1 -c32 -d10s --latency -s post.lua http://127.0.0.1:8090/wp-json/wp/v2/posts
-- hub:        PEER_BODY_FILE=hub.json PEER_AUTH="Bearer TOKEN" \
--               wrk -t1 -c32 -d10s --latency -s post.lua http://127.0.0.1:8000/micropub

local function read(path)
  if not path then error("PEER_BODY_FILE is not set") end
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local template = read(os.getenv("PEER_BODY_FILE"))
local run = os.getenv("PEER_RUN") or tostring(os.time())
local threads = {}
local n = 0
prefix = run -- globals: setup() gives each wrk thread a prefix of its own,
failed = 0 -- and done() adds up each thread's answers other than 201 or 202

function setup(thread)
  table.insert(threads, thread)
  thread:set("prefix", run .. "-" .. #threads)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("PEER_AUTH") or error("PEER_AUTH is not set")

function request()
  n = n + 1
  local body = template:gsub("{n}", prefix .. "-" .. n)
  return wrk.format(nil, nil, nil, body)
end

first = "" -- the first such answer, shown when the run fails

function response(status, headers, body)
  if status ~= 201 and status ~= 202 then
    failed = failed + 1
    if first == "" then first = status .. " " .. string.sub(body or "", 1, 200) end
  end
end

-- a run in which any post was not created fails (exit 1), whatever else wrk counted
function done(summary, latency, requests)
  local total, example = 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("failed")
    if example == "" then example = thread:get("first") end
  end
  if total > 0 then
    io.stderr:write(string.format("post.lua: %d of %d answers were not 201 or 202, the first: %s\n",
                                  total, summary.requests, example))
    os.exit(1)
  end
end
