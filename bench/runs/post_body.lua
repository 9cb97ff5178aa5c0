-- post_body.lua — wrk script for the runs-page benchmark (scripts/
-- bench-runs.sh): every request POSTs the JSON body in the file named by
-- the environment variable BENCH_BODY (a GraphQL request, one of the
-- runsOrError queries) as application/json to the URL given to wrk, over
-- wrk's keep-alive connections. As bench/http/post_version.lua, no
-- response() callback (it would slow the client down); wrk counts non-2xx
-- replies itself and the script checks them.
local path = os.getenv("BENCH_BODY")
local f = path and io.open(path, "rb")
if not f then
  error("post_body.lua: set BENCH_BODY to a readable file with the request body")
end
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
