-- wrk script: a trivial JSON 1.0 request (DynamoDB ListTables) over keep-alive.
wrk.method = "POST"
wrk.path = "/"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.ListTables"
wrk.headers["Authorization"] =
  "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"
