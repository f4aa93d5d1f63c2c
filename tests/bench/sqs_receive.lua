-- wrk script: SQS ReceiveMessage (JSON protocol, up to 10 messages, no wait) from "bench".
wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AmazonSQS.ReceiveMessage"
wrk.body = '{"QueueUrl":"http://127.0.0.1/000000000000/bench","MaxNumberOfMessages":10,' ..
  '"WaitTimeSeconds":0}'
