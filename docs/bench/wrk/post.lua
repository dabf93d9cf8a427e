-- post.lua makes wrk POST a body of a fixed size, which /echo sends back.
-- The size in bytes is the first script argument:
-- wrk ... http://127.0.0.1:8080/echo -- 4096
-- The body is the same pattern as page.Bytes, so a run can be checked
-- against the Go side.

local req

function init(args)
  local n = tonumber(args[1]) or 4096
  local pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/\n"
  local body = string.rep(pattern, math.floor(n / #pattern)) .. pattern:sub(1, n % #pattern)
  req = wrk.format("POST", nil, {["Content-Type"] = "application/octet-stream"}, body)
end

function request()
  return req
end
