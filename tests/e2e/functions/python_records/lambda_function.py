# The tutorial's function in Python (AWS's sample for DynamoDB streams): prints the event and
# each record's eventID, eventName and dynamodb fields.
import json


def lambda_handler(event, context):
    print(json.dumps(event, indent=2))
    for record in event['Records']:
        print(record['eventID'])
        print(record['eventName'])
        print('DynamoDB Record: ' + json.dumps(record['dynamodb']))
    return 'Successfully processed {} records.'.format(len(event['Records']))
