-- pipeline.lua makes wrk send several requests in each write, as an
-- HTTP/1.1 client that pipelines would. The depth is the first script
-- argument: wrk ... http://127.0.0.1:8080/plaintext -- 16
-- wrk counts each response as one request, so req/s and the server's CPU
-- per request stay comparable with the other scenarios.

local batch

function init(args)
  local depth = tonumber(args[1]) or 16
  local one = wrk.format(nil) -- GET of the URL's path, with wrk's headers
  local parts = {}
  for i = 1, depth do
    parts[i] = one
  end
  batch = table.concat(parts)
end

function request()
  return batch
end
