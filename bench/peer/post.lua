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
  local f = assert(io.open(assert(path, "PEER_BODY_FILE is not set")), "rb")
  local text = f:read("*a")
  f:close()
  return text
end

local template = read(os.getenv("PEER_BODY_FILE"))
local run = os.getenv("PEER_RUN") or tostring(os.time())
local threads = 0
local n = 0
prefix = run -- a global: setup() gives each wrk thread a prefix of its own

function setup(thread)
  threads = threads + 1
  thread:set("prefix", run .. "-" .. threads)
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = assert(os.getenv("PEER_AUTH"), "PEER_AUTH is not set")

function request()
  n = n + 1
  local body = template:gsub("{n}", prefix .. "-" .. n)
  return wrk.format(nil, nil, nil, body)
end
