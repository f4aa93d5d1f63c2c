// A resource-based policy document as DynamoDB checks and keeps it: what PutResourcePolicy
// and CreateTable's ResourcePolicy refuse, the form the document is kept in, and the form
// GetResourcePolicy answers. Private to the dynamodb module; pure functions, callable from
// any thread. The policy is kept and answered, never enforced.
#pragma once

#include <string>

#include "streamstack/common/status.h"

namespace streamstack::dynamodb {

// What a policy is attached to: a table's policy and a stream's name different actions.
enum class PolicyResource { kTable, kStream };

// Checks `policy` as DynamoDB checks a document attached to `resource` and gives the form
// it is kept in: minified, keys in IAM's order (Version, Id, Statement; Sid, Effect,
// Principal, Action, Resource, Condition, a Not- element in its positive's place), a
// Statement object as a one-element list, "allow"/"deny" as Allow/Deny, a one-element list
// of Action, Resource, a Condition value or a principal as its element, an account id
// principal as that account's root ARN, repeated principals once. Version stays as given:
// a document without one is another document than the same one naming IAM's default
// (recorded, ack-api-quirks DDB-TABLE-351 to -356). Refusals are ValidationException:
// - "One or more parameter values were invalid: Maximum policy size of 20480 bytes exceeded"
// - "One or more parameter values were invalid: Invalid policy document: <why>"
// - "One or more parameter values were invalid: Invalid principal in policy document."
// - "Resource-based policy grants unbounded access in one or more elements. Please revise
//   the policy to ensure least-privilege form of access" (Block Public Access)
Result<std::string> CheckPolicyDocument(const std::string& policy, PolicyResource resource);

// The kept form of a document that was kept before (by a version of this server that kept
// documents as given); the same text for one CheckPolicyDocument gave.
std::string KeptPolicyDocument(const std::string& stored);

// The document GetResourcePolicy answers for a kept one: its kept form, with IAM's default
// Version "2008-10-17" first when the document named none (recorded, DDB-TABLE-354).
std::string PolicyDocumentAsRead(const std::string& stored);

}  // namespace streamstack::dynamodb
