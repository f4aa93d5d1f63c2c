// The lambda module's SQLite schema (module "lambda" in schema_version). Private.
#pragma once

#include <array>

#include "streamstack/storage/migration.h"

namespace streamstack::lambda {

inline constexpr std::array<storage::Migration, 8> kLambdaMigrations = {{
    {1,
     "CREATE TABLE lambda_functions ("
     "  name TEXT PRIMARY KEY,"
     "  record TEXT NOT NULL);"
     "CREATE TABLE lambda_function_code ("
     "  name TEXT PRIMARY KEY,"
     "  zip BLOB NOT NULL);"
     "CREATE TABLE lambda_event_source_mappings ("
     "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  uuid TEXT NOT NULL UNIQUE,"
     "  function_arn TEXT NOT NULL,"
     "  event_source_arn TEXT NOT NULL,"
     "  record TEXT NOT NULL);"
     "CREATE INDEX lambda_esm_by_function ON lambda_event_source_mappings (function_arn);"
     "CREATE TABLE lambda_esm_checkpoints ("
     "  mapping_uuid TEXT NOT NULL,"
     "  shard_id TEXT NOT NULL,"
     "  sequence_number TEXT NOT NULL,"
     "  updated_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (mapping_uuid, shard_id));"},
    // Published versions (each with the zip it runs) and aliases.
    {2,
     "CREATE TABLE lambda_function_versions ("
     "  name TEXT NOT NULL,"
     "  version INTEGER NOT NULL,"
     "  record TEXT NOT NULL,"
     "  zip BLOB,"
     "  PRIMARY KEY (name, version));"
     "CREATE TABLE lambda_aliases ("
     "  name TEXT NOT NULL,"
     "  alias TEXT NOT NULL,"
     "  record TEXT NOT NULL,"
     "  PRIMARY KEY (name, alias));"},
    // Resource-based policies (AddPermission), per function and qualifier ('' unqualified).
    {3,
     "CREATE TABLE lambda_policies ("
     "  name TEXT NOT NULL,"
     "  qualifier TEXT NOT NULL,"
     "  record TEXT NOT NULL,"
     "  PRIMARY KEY (name, qualifier));"},
    // Asynchronous invocation settings (PutFunctionEventInvokeConfig), per qualifier.
    {4,
     "CREATE TABLE lambda_event_invoke_configs ("
     "  name TEXT NOT NULL,"
     "  qualifier TEXT NOT NULL,"
     "  record TEXT NOT NULL,"
     "  PRIMARY KEY (name, qualifier));"},
    // Layers: each version's record and zip; the last number each layer used.
    {5,
     "CREATE TABLE lambda_layer_versions ("
     "  name TEXT NOT NULL,"
     "  version INTEGER NOT NULL,"
     "  record TEXT NOT NULL,"
     "  zip BLOB NOT NULL,"
     "  PRIMARY KEY (name, version));"
     "CREATE TABLE lambda_layers ("
     "  name TEXT PRIMARY KEY,"
     "  last_version INTEGER NOT NULL);"},
    // Provisioned concurrency configs of versions and aliases (stored and answered).
    {6,
     "CREATE TABLE lambda_provisioned_concurrency ("
     "  name TEXT NOT NULL,"
     "  qualifier TEXT NOT NULL,"
     "  requested INTEGER NOT NULL,"
     "  last_modified_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (name, qualifier));"},
    // Function URLs of functions and aliases ('' unqualified); url_id routes requests.
    {7,
     "CREATE TABLE lambda_function_urls ("
     "  name TEXT NOT NULL,"
     "  qualifier TEXT NOT NULL,"
     "  url_id TEXT NOT NULL UNIQUE,"
     "  record TEXT NOT NULL,"
     "  PRIMARY KEY (name, qualifier));"},
    // Layer version permissions (AddLayerVersionPermission): the statements and RevisionId.
    {8,
     "CREATE TABLE lambda_layer_policies ("
     "  name TEXT NOT NULL,"
     "  version INTEGER NOT NULL,"
     "  record TEXT NOT NULL,"
     "  PRIMARY KEY (name, version));"},
}};

}  // namespace streamstack::lambda
