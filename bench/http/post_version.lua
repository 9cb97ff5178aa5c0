-- post_version.lua — wrk script for the HTTP benchmark (scripts/bench-http.sh):
-- every request POSTs {"query":"{ version }"} as application/json to the URL
-- given to wrk (the server's /graphql), over wrk's keep-alive connections.
-- No response() callback: it would make wrk hand each reply to Lua and slow
-- the client down; wrk itself counts non-2xx replies, which the script checks.
wrk.method = "POST"
wrk.body = '{"query":"{ version }"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
