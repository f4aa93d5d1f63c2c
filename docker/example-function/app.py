# A function that logs each DynamoDB stream record it receives.
def handler(event, context):
    for record in event.get("Records", []):
        print(record["eventName"], record["dynamodb"].get("Keys"))
    return {"batchItemFailures": []}
