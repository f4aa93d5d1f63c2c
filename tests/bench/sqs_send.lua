-- wrk script: SQS SendMessage (JSON protocol) of a 100-byte body to queue "bench".
wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AmazonSQS.SendMessage"
wrk.body = '{"QueueUrl":"http://127.0.0.1/000000000000/bench","MessageBody":"' ..
  string.rep("x", 100) .. '"}'
