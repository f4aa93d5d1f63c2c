// Tables passing through CREATING, UPDATING and DELETING (the server runs with
// --table-status-delay-ms) through the JavaScript SDK v3: the SDK's waiters
// (waitUntilTableExists, waitUntilTableNotExists) wait them out, item operations on a table
// being created answer ResourceNotFoundException, and a change during another
// ResourceInUseException, as the SDK decodes them.
"use strict";

const {
  BackupInUseException,
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  ListTablesCommand,
  PutItemCommand,
  PutResourcePolicyCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  RestoreTableFromBackupCommand,
  TableInUseException,
  TableNotFoundException,
  UpdateTableCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} = require("@aws-sdk/client-dynamodb");
const { assert, clientConfig, endpoint, expectError, run, uniqueName } = require("./common");

const ddb = new DynamoDBClient(clientConfig);
const TABLE = uniqueName("status");
const waiter = { client: ddb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 };

// DeletionProtectionEnabled is not written again within 15 s of its last change
// (ack-api-quirks DDB-TABLE-445, recorded): the server runs on the test clock, moved past it.
async function pastDeletionProtectionCooldown() {
  await advance(15000);
}

async function advance(ms) {
  const response = await fetch(`${endpoint}/_streamstack/clock/advance?ms=${ms}`);
  assert.equal(response.status, 200);
}

const status = async () =>
  (await ddb.send(new DescribeTableCommand({ TableName: TABLE }))).Table.TableStatus;
const put = (pk) =>
  ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk } } }));

run([
  ["CreateTable: CREATING, items not found, a change in use", async () => {
    const { TableDescription: created } = await ddb.send(new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    assert.equal(created.TableStatus, "CREATING");
    assert.equal(await status(), "CREATING");
    await expectError(() => put("a"),
      { name: "ResourceNotFoundException", type: ResourceNotFoundException });
    const inUse = await expectError(() => ddb.send(new DeleteTableCommand({ TableName: TABLE })),
      { name: "ResourceInUseException", type: ResourceInUseException });
    assert.equal(inUse.message,
      `Attempt to change a resource which is still in use: Table is being created: ${TABLE}`);
  }],

  ["waitUntilTableExists waits for ACTIVE", async () => {
    const waited = await waitUntilTableExists(waiter, { TableName: TABLE });
    assert.equal(waited.state, "SUCCESS");
    assert.equal(await status(), "ACTIVE");
    await put("a");
  }],

  ["UpdateTable: UPDATING, items served, another change in use", async () => {
    // One change per UpdateTable, as AWS requires.
    const { TableDescription: updated } = await ddb.send(new UpdateTableCommand({
      TableName: TABLE,
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    }));
    assert.equal(updated.TableStatus, "UPDATING");
    await put("b");
    // While the stream is being enabled (ack-api-quirks DDB-TABLE-119, -444, recorded).
    const stream = ` Table: ${TABLE} Stream: ${updated.LatestStreamLabel} Operation: ENABLE`;
    const inUse = await expectError(
      () => ddb.send(new UpdateTableCommand({
        TableName: TABLE, StreamSpecification: { StreamEnabled: false } })),
      { name: "ResourceInUseException", type: ResourceInUseException });
    assert.equal(inUse.message, "Attempt to change a resource which is still in use: " +
      "A stream status change is currently in progress." + stream);
    const tableClass = await expectError(
      () => ddb.send(new UpdateTableCommand({
        TableName: TABLE, TableClass: "STANDARD_INFREQUENT_ACCESS" })),
      { name: "ResourceInUseException", type: ResourceInUseException });
    assert.equal(tableClass.message, "Attempt to change a resource which is still in use: " +
      "Can't update table class when stream status is being updated." + stream);
    const { TableDescription: protectedTable } = await ddb.send(new UpdateTableCommand({
      TableName: TABLE, DeletionProtectionEnabled: true }));
    assert.equal(protectedTable.TableStatus, "UPDATING");
    assert.equal(protectedTable.DeletionProtectionEnabled, true);
    assert.equal((await waitUntilTableExists(waiter, { TableName: TABLE })).state, "SUCCESS");
    const { Table: table } = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.equal(table.StreamSpecification.StreamEnabled, true);
    assert.equal(table.DeletionProtectionEnabled, true);
    await pastDeletionProtectionCooldown();
    await ddb.send(new UpdateTableCommand({ TableName: TABLE, DeletionProtectionEnabled: false }));
    await pastDeletionProtectionCooldown();
  }],

  ["UpdateTable while a new index is allocated: the stream and DeleteTable refused", async () => {
    // ack-api-quirks DDB-TABLE-458 and DDB-TABLE-444 (recorded).
    const { TableDescription: indexing } = await ddb.send(new UpdateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "g", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: {
        IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" } } }],
    }));
    assert.equal(indexing.TableStatus, "UPDATING");
    const stream = await expectError(
      () => ddb.send(new UpdateTableCommand({
        TableName: TABLE, StreamSpecification: { StreamEnabled: false } })),
      { name: "ResourceInUseException", type: ResourceInUseException });
    assert.equal(stream.message, "Attempt to change a resource which is still in use: " +
      "Can't change stream status when an index is being created");
    const deleting = await expectError(() => ddb.send(new DeleteTableCommand({ TableName: TABLE })),
      { name: "ResourceInUseException", type: ResourceInUseException });
    assert.equal(deleting.message, "Attempt to change a resource which is still in use: " +
      "Cannot delete table while indexes are being created, updated, or deleted.");
    const { TableDescription: protectedTable } = await ddb.send(new UpdateTableCommand({
      TableName: TABLE, DeletionProtectionEnabled: true }));
    assert.equal(protectedTable.TableStatus, "UPDATING");
    assert.equal((await waitUntilTableExists(waiter, { TableName: TABLE })).state, "SUCCESS");
    await pastDeletionProtectionCooldown();
    await ddb.send(new UpdateTableCommand({ TableName: TABLE, DeletionProtectionEnabled: false }));
  }],

  ["DeleteTable: DELETING and listed, then waitUntilTableNotExists", async () => {
    const { TableDescription: deleted } =
      await ddb.send(new DeleteTableCommand({ TableName: TABLE }));
    assert.equal(deleted.TableStatus, "DELETING");
    assert.equal(await status(), "DELETING");
    const { TableNames: listed } = await ddb.send(new ListTablesCommand({}));
    assert.ok(listed.includes(TABLE), `${TABLE} not in ${listed}`);
    const waited = await waitUntilTableNotExists(waiter, { TableName: TABLE });
    assert.equal(waited.state, "SUCCESS");
    await expectError(() => ddb.send(new DescribeTableCommand({ TableName: TABLE })),
      { name: "ResourceNotFoundException", type: ResourceNotFoundException });
  }],

  ["a restore's target while it is restored: TableInUse, BackupInUse, TableNotFound", async () => {
    // ack-api-quirks DDB-TABLE-217, -219 and DDB-BACKUP-010 (recorded).
    const source = uniqueName("restore-source");
    const target = uniqueName("restored");
    await ddb.send(new CreateTableCommand({
      TableName: source,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    await waitUntilTableExists(waiter, { TableName: source });
    const { BackupDetails: { BackupArn: backup } } =
      await ddb.send(new CreateBackupCommand({ TableName: source, BackupName: "first" }));
    const { TableDescription: restoring } = await ddb.send(
      new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: backup }));
    assert.equal(restoring.TableStatus, "CREATING");
    const again = await expectError(() => ddb.send(
      new RestoreTableFromBackupCommand({ TargetTableName: target, BackupArn: backup })),
    { name: "TableInUseException", type: TableInUseException });
    assert.equal(again.message, `Table: ${target} is already being restored from backup: ${backup}`);
    const other = await expectError(() => ddb.send(new RestoreTableFromBackupCommand({
      TargetTableName: uniqueName("restored-2"), BackupArn: backup })),
    { name: "BackupInUseException", type: BackupInUseException });
    assert.equal(other.message, `Backup is being used to restore another table: ${backup}`);
    await expectError(() => ddb.send(new DeleteBackupCommand({ BackupArn: backup })),
      { name: "BackupInUseException", type: BackupInUseException });
    const notFound = await expectError(() => ddb.send(
      new CreateBackupCommand({ TableName: target, BackupName: "second" })),
    { name: "TableNotFoundException", type: TableNotFoundException });
    assert.equal(notFound.message, `Table not found: ${target}`);
    assert.equal((await waitUntilTableExists(waiter, { TableName: target })).state, "SUCCESS");
    await ddb.send(new DeleteBackupCommand({ BackupArn: backup }));
  }],

  ["a table being deleted: its policy still answered, a change ResourceInUse", async () => {
    // ack-api-quirks DDB-TABLE-236, -374 (recorded).
    const name = uniqueName("policed");
    const { TableDescription: { TableArn: arn } } = await ddb.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    await waitUntilTableExists(waiter, { TableName: name });
    const policy = (action) => JSON.stringify({ Version: "2012-10-17", Statement: [{
      Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: action,
      Resource: arn }] });
    const { RevisionId: revision } = await ddb.send(
      new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy("dynamodb:GetItem") }));
    await advance(1500);  // the policy change is pending for the delay
    await ddb.send(new DeleteTableCommand({ TableName: name }));
    const kept = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn }));
    assert.equal(kept.Policy, policy("dynamodb:GetItem"));
    assert.equal(kept.RevisionId, revision);
    const refused = await expectError(() => ddb.send(
      new PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy("dynamodb:Query") })),
    { name: "ResourceInUseException", type: ResourceInUseException });
    assert.equal(refused.message,
      `Attempt to change a resource which is still in use: Table is being deleted: ${name}`);
    assert.equal((await waitUntilTableNotExists(waiter, { TableName: name })).state, "SUCCESS");
  }],
]);
