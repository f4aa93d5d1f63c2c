-- wrk script: PutItem of a new item per request (unique pk per thread and request) on the
-- table "bench", whose stream is enabled, over keep-alive. Each request is a real write:
-- an item row plus its stream record in one commit.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = id
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"TableName":"bench","Item":{"pk":{"S":"t%d-%d"},"n":{"N":"%d"},"payload":{"S":"0123456789abcdef0123456789abcdef"}}}',
    thread_id, counter, counter)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "DynamoDB_20120810.PutItem",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
  }, body)
end
