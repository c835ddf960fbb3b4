// GET /v1/openapi.json (SPEC §10): the OpenAPI 3.0.3 document of the whole API, public, served
// from the binary so the server never reads the source tree at run time.
//
// The literal below is docs/openapi.json byte for byte; openapi_test fails when the two differ,
// or when a route is missing from the document (or documented but not routed). After editing
// docs/openapi.json, copy it into the literal, from the repository root:
// clang-format off
//   python3 -c "p='src/api/openapi_routes.cc';s=open(p).read();b='R\"OPEN'+'API(';e=')OPEN'+'API\"';i=s.index(b)+len(b);open(p,'w').write(s[:i]+open('docs/openapi.json').read()+s[s.index(e):])"
// clang-format on
#include <chrono>
#include <string>
#include <string_view>

#include "api/api.h"

namespace steward::api {
namespace {

constexpr std::string_view kPattern = "/v1/openapi.json";
// The document changes only with a new binary; five minutes of caching spares repeated fetches.
constexpr std::string_view kCacheControl = "public, max-age=300";

// docs/openapi.json, verbatim (generated data: exempt from the file-length guideline).
constexpr std::string_view kOpenApiDocument = R"OPENAPI({
  "openapi": "3.0.3",
  "info": {
    "title": "Steward API",
    "version": "1.0.0",
    "description": "Steward, the autonomy control plane for AI agents: action intents, the auto-approval gate, execution, decision scheduling, the audit ledger and exports (see SPEC.md). JSON in and out; request bodies must be `Content-Type: application/json` (else 415) and at most 1 MiB (else 413). Every call except the public ones carries `Authorization: Bearer <JWT>`; the tenant always comes from the token. `x-steward-role` on each operation is the lowest role allowed (viewer < agent < approver < operator < admin; platform_admin stands apart and also counts as admin; `none` means no token). Unknown body fields are rejected with 400. A route whose method is not served answers 405 METHOD_NOT_ALLOWED with an Allow header."
  },
  "servers": [
    {
      "url": "/",
      "description": "The serving node (paths include /v1)."
    }
  ],
  "tags": [
    {
      "name": "Operations",
      "description": "Liveness, readiness, metrics and this document."
    },
    {
      "name": "Intents",
      "description": "Action intents and the approval inbox (SPEC §4, §10)."
    },
    {
      "name": "Gate",
      "description": "The auto-approval gate (SPEC §5)."
    },
    {
      "name": "Configuration",
      "description": "Autonomy modes, allowlists, budgets, kill switches, policy thresholds (SPEC §10)."
    },
    {
      "name": "Registry",
      "description": "The action type registry (SPEC §4)."
    },
    {
      "name": "Ledger",
      "description": "The append-only, hash-chained audit ledger (SPEC §8)."
    },
    {
      "name": "Execution",
      "description": "Human approval, rejection, replay and execution results (SPEC §6)."
    },
    {
      "name": "Internal objects",
      "description": "Tasks, notes and flags written by the internal connector."
    },
    {
      "name": "Connectors",
      "description": "Connector settings and circuit breakers (SPEC §6)."
    },
    {
      "name": "Decisions",
      "description": "RUN_DECISION triggers, reservations and evaluations (SPEC §7)."
    },
    {
      "name": "Decision settings",
      "description": "Trigger registry, decision budget, opt-in, digest settings, schedules (SPEC §7)."
    },
    {
      "name": "Audit exports",
      "description": "Asynchronous ledger exports and their signed download links (SPEC §9)."
    },
    {
      "name": "Events",
      "description": "The tenant's cursor event feed (SPEC §7)."
    },
    {
      "name": "Webhooks",
      "description": "Signed event deliveries (SPEC §7)."
    },
    {
      "name": "Explanations",
      "description": "Explanation, daily digest and insights (SPEC §8)."
    }
  ],
  "security": [
    {
      "bearerAuth": []
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "operationId": "getHealth",
        "summary": "Liveness",
        "description": "Answers while the process runs. No token needed.",
        "tags": [
          "Operations"
        ],
        "security": [],
        "x-steward-role": "none",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "getReadiness",
        "summary": "Readiness: store reachable, migrations current",
        "tags": [
          "Operations"
        ],
        "security": [],
        "x-steward-role": "none",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Readiness"
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "getMetrics",
        "summary": "Prometheus metrics",
        "description": "Public by default (`metrics_public`). When configured private it needs a bearer token with the operator role (see x-steward-role-when-private).",
        "tags": [
          "Operations"
        ],
        "security": [
          {},
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "none",
        "x-steward-role-when-private": "operator",
        "responses": {
          "200": {
            "description": "Prometheus text exposition (request counts and latency histograms per route, gate results by reason, jobs by type and status, executions, export durations). When metrics are configured private, the operator-only variant answers JSON `{\"metrics\": \"<the same text>\"}`.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              },
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "metrics"
                  ],
                  "properties": {
                    "metrics": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/v1/openapi.json": {
      "get": {
        "operationId": "getOpenApiDocument",
        "summary": "This OpenAPI document",
        "tags": [
          "Operations"
        ],
        "security": [],
        "x-steward-role": "none",
        "responses": {
          "200": {
            "description": "The OpenAPI 3.0.3 document of the whole API (docs/openapi.json).",
            "headers": {
              "Cache-Control": {
                "schema": {
                  "type": "string",
                  "enum": [
                    "public, max-age=300"
                  ]
                }
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "additionalProperties": true
                }
              }
            }
          }
        }
      }
    },
    "/v1/intents": {
      "post": {
        "operationId": "createIntent",
        "summary": "Propose an action intent",
        "description": "Creates the intent and, unless the body says `\"gate\": \"none\"`, runs the auto-approval gate in the same transaction. An existing action_intent_id with different content is 409.",
        "tags": [
          "Intents"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "agent",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateIntentRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Created; the gate ran unless `gate: none`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CreateIntentResponse"
                }
              }
            }
          },
          "200": {
            "description": "An identical repeat of an existing client-given id: the existing intent.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ExistingIntentResponse"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "get": {
        "operationId": "listIntents",
        "summary": "List intents",
        "tags": [
          "Intents"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "name": "status",
            "in": "query",
            "required": false,
            "description": "Only this status.",
            "schema": {
              "$ref": "#/components/schemas/IntentStatus"
            }
          },
          {
            "name": "action_type",
            "in": "query",
            "required": false,
            "description": "Only this action type.",
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IntentList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/inbox": {
      "get": {
        "operationId": "listInbox",
        "summary": "The approval inbox (intents AWAITING_APPROVAL)",
        "tags": [
          "Intents"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "name": "action_type",
            "in": "query",
            "required": false,
            "description": "Only this action type.",
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IntentList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/intents/{id}": {
      "get": {
        "operationId": "getIntent",
        "summary": "Get an intent",
        "tags": [
          "Intents"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/IntentIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Intent"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/intents/{id}/cancel": {
      "post": {
        "operationId": "cancelIntent",
        "summary": "Cancel an intent that has not run",
        "description": "Only PROPOSED, AWAITING_APPROVAL or APPROVED (not yet executing) intents can be cancelled; appends EXECUTION_CANCELLED.",
        "tags": [
          "Intents"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "approver",
        "parameters": [
          {
            "$ref": "#/components/parameters/IntentIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CancelIntentRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The intent, now CANCELLED.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Intent"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/gate/auto-approval": {
      "post": {
        "operationId": "evaluateGate",
        "summary": "Run the auto-approval gate on an intent",
        "description": "SPEC §5. Idempotent on the intent: an already auto-executed intent answers AUTO_EXECUTED with already_published true. Every decision is a 200; INTENT_NOT_FOUND is a REQUIRE_APPROVAL reason.",
        "tags": [
          "Gate"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "agent",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/GateRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/GateAnswer"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/config": {
      "get": {
        "operationId": "getAutonomyModes",
        "summary": "List autonomy modes",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "account_id",
            "in": "query",
            "required": false,
            "description": "Only rows of this account and of the whole tenant.",
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "name": "action_type",
            "in": "query",
            "required": false,
            "description": "Only rows of this type and DEFAULT; with account_id also resolves the effective mode.",
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModeList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putAutonomyMode",
        "summary": "Set an autonomy mode",
        "description": "Appends CONFIG_CHANGED with before and after.",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutModeRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModeConfig"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteAutonomyMode",
        "summary": "Delete an autonomy mode row",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "account_id",
            "in": "query",
            "required": false,
            "description": "The account; absent: the whole tenant.",
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "name": "action_type",
            "in": "query",
            "required": false,
            "description": "The action type; absent: DEFAULT.",
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModeDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/allowlist": {
      "get": {
        "operationId": "getAllowlist",
        "summary": "Get the effective allowlist",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "account_id",
            "in": "query",
            "required": false,
            "description": "The account; absent: the whole tenant.",
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Allowlist"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putAllowlist",
        "summary": "Set an allowlist",
        "description": "An account list, even empty, replaces the tenant list for that account.",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutAllowlistRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Allowlist"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteAllowlist",
        "summary": "Delete an allowlist (restores inheritance)",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "account_id",
            "in": "query",
            "required": false,
            "description": "The account; absent: the whole tenant.",
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AllowlistDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/budget": {
      "get": {
        "operationId": "getBudget",
        "summary": "Get an account's autonomy budget and today's usage",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Budget"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putBudget",
        "summary": "Set an account's autonomy budget",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutBudgetRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BudgetConfig"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteBudget",
        "summary": "Delete an account's autonomy budget",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BudgetDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/budget/state": {
      "get": {
        "operationId": "getBudgetState",
        "summary": "Get an account's budget usage for a day",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "name": "date",
            "in": "query",
            "required": false,
            "description": "The day; absent: today in the budget's time zone.",
            "schema": {
              "$ref": "#/components/schemas/Date"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BudgetState"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "resetBudgetState",
        "summary": "Reset an account's budget usage for a day",
        "description": "Appends BUDGET_STATE_RESET.",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "name": "date",
            "in": "query",
            "required": false,
            "description": "The day; absent: today in the budget's time zone.",
            "schema": {
              "$ref": "#/components/schemas/Date"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BudgetStateReset"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/kill-switches": {
      "get": {
        "operationId": "getKillSwitches",
        "summary": "Get the tenant's kill switches",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "operator",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/KillSwitches"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putKillSwitches",
        "summary": "Change the tenant's kill switches",
        "description": "Appends KILL_SWITCH_CHANGED.",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "operator",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutKillSwitchesRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/KillSwitches"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/policy": {
      "get": {
        "operationId": "getPolicySettings",
        "summary": "Get the tenant's policy thresholds",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PolicySettings"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putPolicySettings",
        "summary": "Change the tenant's policy thresholds",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutPolicyRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PolicySettings"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/platform/emergency-stop": {
      "put": {
        "operationId": "putEmergencyStop",
        "summary": "Engage or release the global emergency stop",
        "description": "platform_admin only (admin is not enough). Stops every tenant's autonomy and execution.",
        "tags": [
          "Configuration"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "platform_admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/EmergencyStopRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/EmergencyStop"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/registry/action-types": {
      "get": {
        "operationId": "listActionTypes",
        "summary": "List action types",
        "tags": [
          "Registry"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ActionTypeList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/registry/action-types/{type}": {
      "get": {
        "operationId": "getActionType",
        "summary": "Get an action type",
        "tags": [
          "Registry"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/ActionTypePath"
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "description": "A registry version; absent: the latest.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ActionType"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putActionType",
        "summary": "Define a new version of a tenant action type",
        "description": "Versions are immutable: every PUT makes a new registry version. Built-in types answer 409.",
        "tags": [
          "Registry"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/ActionTypePath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutActionTypeRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Created: the new version.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ActionType"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/ledger": {
      "get": {
        "operationId": "listLedger",
        "summary": "Query the audit ledger",
        "tags": [
          "Ledger"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "name": "event_type",
            "in": "query",
            "required": false,
            "description": "Only this event type.",
            "schema": {
              "$ref": "#/components/schemas/LedgerEventType"
            }
          },
          {
            "name": "action_intent_id",
            "in": "query",
            "required": false,
            "description": "Only entries of this intent.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "trace_id",
            "in": "query",
            "required": false,
            "description": "Only entries with this trace id.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "description": "Lower bound (inclusive).",
            "schema": {
              "$ref": "#/components/schemas/DateOrInstant"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "description": "Upper bound (inclusive; a date means its whole day).",
            "schema": {
              "$ref": "#/components/schemas/DateOrInstant"
            }
          },
          {
            "name": "order",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "newest_first",
                "oldest_first"
              ],
              "default": "newest_first"
            }
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LedgerPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/ledger/verify": {
      "get": {
        "operationId": "verifyLedger",
        "summary": "Recompute the tenant's hash chain",
        "tags": [
          "Ledger"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/DateOrInstant"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/DateOrInstant"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LedgerVerifyResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/intents/{id}/approve": {
      "post": {
        "operationId": "approveIntent",
        "summary": "Approve an intent (optionally with edited parameters)",
        "description": "An approval is used once: approving twice, a finished, blocked or expired intent is 409. The creator may not approve unless the tenant allows self-approval (403).",
        "tags": [
          "Execution"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "approver",
        "parameters": [
          {
            "$ref": "#/components/parameters/IntentIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ApproveRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The intent, now APPROVED; one execution job is queued.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Intent"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/intents/{id}/reject": {
      "post": {
        "operationId": "rejectIntent",
        "summary": "Reject an intent",
        "tags": [
          "Execution"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "approver",
        "parameters": [
          {
            "$ref": "#/components/parameters/IntentIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RejectRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The intent, now REJECTED.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Intent"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/replay": {
      "post": {
        "operationId": "replayIntent",
        "summary": "Replay a finished intent",
        "description": "Starts a new execution of a SUCCEEDED or FAILED intent; the first outcome stays as written.",
        "tags": [
          "Execution"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "operator",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReplayRequest"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Accepted: a new execution is queued.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReplayAccepted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/executions/{id}": {
      "get": {
        "operationId": "getExecution",
        "summary": "Get an intent's executions",
        "description": "404 until an attempt exists.",
        "tags": [
          "Execution"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/IntentIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Execution"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/executions": {
      "get": {
        "operationId": "listExecutions",
        "summary": "List outcomes (the \"autopilot did\" timeline)",
        "tags": [
          "Execution"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "name": "auto_executed",
            "in": "query",
            "required": false,
            "description": "Only autonomous (true) or human (false) ones.",
            "schema": {
              "type": "string",
              "enum": [
                "true",
                "false"
              ]
            }
          },
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/OutcomeStatus"
            }
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "Completed at or after this instant.",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OutcomeList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/internal/tasks": {
      "get": {
        "operationId": "listInternalTasks",
        "summary": "List the internal connector's tasks",
        "tags": [
          "Internal objects"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/InternalObjectList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/internal/notes": {
      "get": {
        "operationId": "listInternalNotes",
        "summary": "List the internal connector's notes",
        "tags": [
          "Internal objects"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/InternalObjectList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/internal/flags": {
      "get": {
        "operationId": "listInternalFlags",
        "summary": "List the internal connector's flags",
        "tags": [
          "Internal objects"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/InternalObjectList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/connectors/{id}": {
      "get": {
        "operationId": "getConnector",
        "summary": "Get a connector and its circuit breaker",
        "tags": [
          "Connectors"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "operator",
        "parameters": [
          {
            "$ref": "#/components/parameters/ConnectorIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Connector"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putConnector",
        "summary": "Configure an http connector",
        "tags": [
          "Connectors"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/ConnectorIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutConnectorRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Connector"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/decisions/triggers": {
      "post": {
        "operationId": "submitTrigger",
        "summary": "Submit a RUN_DECISION",
        "description": "Reserves the idempotency key, applies the trigger registry and the cost gate in one transaction. A repeated key answers SKIP DUPLICATE with the original answer.",
        "tags": [
          "Decisions"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "agent",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "oneOf": [
                  {
                    "$ref": "#/components/schemas/TriggerRequest"
                  },
                  {
                    "$ref": "#/components/schemas/TriggerEnvelope"
                  }
                ]
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CostGateAnswer"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/decisions/idempotency/{key}": {
      "get": {
        "operationId": "getReservation",
        "summary": "Get an idempotency reservation",
        "tags": [
          "Decisions"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKeyPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Reservation"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteReservation",
        "summary": "Release an idempotency reservation",
        "tags": [
          "Decisions"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKeyPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReservationDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/decisions/runs": {
      "get": {
        "operationId": "listDecisionRuns",
        "summary": "List cost-gate evaluations",
        "tags": [
          "Decisions"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "name": "trigger_type",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/TriggerTypeName"
            }
          },
          {
            "name": "result",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/CostGateResult"
            }
          },
          {
            "name": "reason",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[A-Z][A-Z0-9_]{0,63}$"
            }
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "Evaluated at or after this instant.",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DecisionRunList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/triggers": {
      "get": {
        "operationId": "listTriggers",
        "summary": "List the trigger registry (defaults and overrides)",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TriggerList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putTrigger",
        "summary": "Override or add a trigger type",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutTriggerRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TriggerConfig"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteTrigger",
        "summary": "Remove a trigger override",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "trigger_type",
            "in": "query",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/TriggerTypeName"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TriggerDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/decision-budget": {
      "get": {
        "operationId": "getDecisionBudget",
        "summary": "Get the daily decision budget",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "account_id",
            "in": "query",
            "required": false,
            "description": "The account; absent: the tenant default.",
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DecisionBudget"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putDecisionBudget",
        "summary": "Set the daily decision budget",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutDecisionBudgetRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DecisionBudget"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/opt-in": {
      "get": {
        "operationId": "getOptIn",
        "summary": "Get an account's opt-in to rituals",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OptIn"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putOptIn",
        "summary": "Set an account's opt-in to rituals",
        "description": "Withdrawing the opt-in disables the account's schedules at once.",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutOptInRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OptIn"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/digest/settings": {
      "get": {
        "operationId": "getDigestSettings",
        "summary": "Get the daily digest settings",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DigestSettings"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putDigestSettings",
        "summary": "Set the daily digest settings",
        "description": "Disabling the digest disables the tenant's schedules.",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutDigestSettingsRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DigestSettings"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/schedules": {
      "get": {
        "operationId": "listSchedules",
        "summary": "List ritual schedules",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdFilter"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ScheduleList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "put": {
        "operationId": "putSchedule",
        "summary": "Create or change a ritual schedule",
        "description": "Enabling requires the account's opt-in and an active daily digest; otherwise 409 naming the missing precondition.",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutScheduleRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Schedule"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteSchedule",
        "summary": "Delete a ritual schedule",
        "tags": [
          "Decision settings"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "name": "trigger_type",
            "in": "query",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/TriggerTypeName"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ScheduleDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/audit/exports": {
      "post": {
        "operationId": "createAuditExport",
        "summary": "Request an audit export",
        "description": "Appends AUDIT_EXPORT_REQUESTED; poll GET …/exports/{id} for the presigned_url.",
        "tags": [
          "Audit exports"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateExportRequest"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Accepted: a worker writes the file.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuditExportCreated"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "get": {
        "operationId": "listAuditExports",
        "summary": "List audit exports",
        "tags": [
          "Audit exports"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuditExportList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/audit/exports/{id}": {
      "get": {
        "operationId": "getAuditExport",
        "summary": "Get an audit export",
        "tags": [
          "Audit exports"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/ExportIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AuditExport"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/downloads/{id}": {
      "get": {
        "operationId": "downloadAuditExport",
        "summary": "Download an export through its presigned link",
        "description": "The link is the credential: no Authorization header. A tampered signature (or unknown id) is 403, an expired link or removed file 410, an export not COMPLETED 404.",
        "tags": [
          "Audit exports"
        ],
        "security": [],
        "x-steward-role": "none",
        "parameters": [
          {
            "$ref": "#/components/parameters/ExportIdPath"
          },
          {
            "name": "expires",
            "in": "query",
            "required": true,
            "description": "Unix time (seconds) the link expires.",
            "schema": {
              "type": "string",
              "pattern": "^[0-9]+$"
            }
          },
          {
            "name": "sig",
            "in": "query",
            "required": true,
            "description": "HMAC-SHA256 over (export_id, tenant, expires), hex.",
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f]+$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The export file (CSV per RFC 4180, a JSON array, or NDJSON).",
            "headers": {
              "Content-Disposition": {
                "schema": {
                  "type": "string",
                  "example": "attachment; filename=\"steward-audit-exp01.csv\""
                }
              },
              "Cache-Control": {
                "schema": {
                  "type": "string",
                  "enum": [
                    "private, no-store"
                  ]
                }
              }
            },
            "content": {
              "text/csv": {
                "schema": {
                  "type": "string"
                }
              },
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/LedgerEntry"
                  }
                }
              },
              "application/x-ndjson": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "410": {
            "$ref": "#/components/responses/Gone"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/events": {
      "get": {
        "operationId": "listEvents",
        "summary": "Read the tenant's event feed (long-poll)",
        "tags": [
          "Events"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "The `next_cursor` of the previous call; absent: from the start.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "type",
            "in": "query",
            "required": false,
            "description": "Only these event types: repeat the parameter or separate with commas (at most 50).",
            "schema": {
              "type": "array",
              "items": {
                "$ref": "#/components/schemas/EventTypeName"
              }
            },
            "style": "form",
            "explode": true
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 100
            }
          },
          {
            "name": "wait",
            "in": "query",
            "required": false,
            "description": "Seconds to wait for an event when none is there yet (long-poll).",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 0,
              "maximum": 30,
              "default": 0
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/EventPage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/webhooks/{id}": {
      "put": {
        "operationId": "putWebhook",
        "summary": "Create or change a webhook",
        "description": "Deliveries are signed with HMAC-SHA256 over timestamp and body, retried with backoff and dead-lettered after 10 tries.",
        "tags": [
          "Webhooks"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/WebhookIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PutWebhookRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Webhook"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "get": {
        "operationId": "getWebhook",
        "summary": "Get a webhook",
        "tags": [
          "Webhooks"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/WebhookIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Webhook"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "delete": {
        "operationId": "deleteWebhook",
        "summary": "Delete a webhook",
        "tags": [
          "Webhooks"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "$ref": "#/components/parameters/WebhookIdPath"
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/WebhookDeleted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/webhooks/{id}/deliveries": {
      "get": {
        "operationId": "listWebhookDeliveries",
        "summary": "List a webhook's deliveries",
        "tags": [
          "Webhooks"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "operator",
        "parameters": [
          {
            "$ref": "#/components/parameters/WebhookIdPath"
          },
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/DeliveryStatus"
            }
          },
          {
            "$ref": "#/components/parameters/Cursor"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 500,
              "default": 50
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/WebhookDeliveryList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/ledger/explanation": {
      "get": {
        "operationId": "explainIntent",
        "summary": "Why did the system do this? (one intent)",
        "tags": [
          "Explanations"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "name": "action_intent_id",
            "in": "query",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "name": "account_id",
            "in": "query",
            "required": false,
            "description": "When given, the intent must belong to this account.",
            "schema": {
              "$ref": "#/components/schemas/Id"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Explanation"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/digest": {
      "get": {
        "operationId": "getDailyDigest",
        "summary": "The daily digest of an account",
        "tags": [
          "Explanations"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "viewer",
        "parameters": [
          {
            "$ref": "#/components/parameters/AccountIdRequired"
          },
          {
            "name": "date",
            "in": "query",
            "required": false,
            "description": "The day in the tenant's digest time zone; absent: today.",
            "schema": {
              "$ref": "#/components/schemas/Date"
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Digest"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/autonomy/insights": {
      "get": {
        "operationId": "getInsights",
        "summary": "Shadow evidence per action type and account",
        "tags": [
          "Explanations"
        ],
        "security": [
          {
            "bearerAuth": []
          }
        ],
        "x-steward-role": "admin",
        "parameters": [
          {
            "name": "action_type",
            "in": "query",
            "required": false,
            "description": "Only this action type.",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
            }
          },
          {
            "name": "days",
            "in": "query",
            "required": false,
            "description": "The window, in days.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1,
              "maximum": 90,
              "default": 30
            }
          },
          {
            "$ref": "#/components/parameters/TenantId"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Insights"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "HS256, RS256 or ES256; claims sub, tenant_id (or custom:tenant_id), roles (array) or role."
      }
    },
    "parameters": {
      "TenantId": {
        "name": "tenant_id",
        "in": "query",
        "required": false,
        "description": "Optional; when given it must equal the token's tenant (else 403). The tenant always comes from the token.",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "AccountIdFilter": {
        "name": "account_id",
        "in": "query",
        "required": false,
        "description": "Only this account.",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "AccountIdRequired": {
        "name": "account_id",
        "in": "query",
        "required": true,
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "Cursor": {
        "name": "cursor",
        "in": "query",
        "required": false,
        "description": "The `next_cursor` of the previous page.",
        "schema": {
          "type": "string"
        }
      },
      "IntentIdPath": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The action_intent_id.",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "ActionTypePath": {
        "name": "type",
        "in": "path",
        "required": true,
        "description": "The action type.",
        "schema": {
          "$ref": "#/components/schemas/ActionTypeName"
        }
      },
      "IdempotencyKeyPath": {
        "name": "key",
        "in": "path",
        "required": true,
        "description": "The RUN_DECISION idempotency key.",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "ConnectorIdPath": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The connector id (`internal` is built in; http connectors are per tenant).",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "ExportIdPath": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The export_id.",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      },
      "WebhookIdPath": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The webhook_id.",
        "schema": {
          "$ref": "#/components/schemas/Id"
        }
      }
    },
    "responses": {
      "BadRequest": {
        "description": "INVALID_ARGUMENT: a malformed body, a missing or ill-typed field, an unknown field, or an invalid query parameter (`field` names it).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "UNAUTHENTICATED: no, malformed, expired or badly signed bearer token.",
        "headers": {
          "WWW-Authenticate": {
            "schema": {
              "type": "string",
              "enum": [
                "Bearer"
              ]
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Forbidden": {
        "description": "PERMISSION_DENIED: the token's role is too low, or a `tenant_id` differs from the token's tenant.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "NotFound": {
        "description": "NOT_FOUND: no such resource in the caller's tenant (another tenant's resource is reported the same way).",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Conflict": {
        "description": "CONFLICT: the resource's state does not allow this change.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Gone": {
        "description": "GONE: the download link or the export file expired.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "PayloadTooLarge": {
        "description": "PAYLOAD_TOO_LARGE: the body is over 1 MiB.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "UnsupportedMediaType": {
        "description": "UNSUPPORTED_MEDIA_TYPE: the body is not application/json.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TooManyRequests": {
        "description": "RESOURCE_EXHAUSTED: too many pending jobs for the tenant; retry after Retry-After seconds. Nothing was accepted.",
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unavailable": {
        "description": "UNAVAILABLE: the store is unreachable or busy; retry.",
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "description": "The one error shape of every endpoint (SPEC §10).",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string",
                "enum": [
                  "INVALID_ARGUMENT",
                  "UNAUTHENTICATED",
                  "PERMISSION_DENIED",
                  "NOT_FOUND",
                  "METHOD_NOT_ALLOWED",
                  "CONFLICT",
                  "GONE",
                  "PAYLOAD_TOO_LARGE",
                  "UNSUPPORTED_MEDIA_TYPE",
                  "RESOURCE_EXHAUSTED",
                  "HEADERS_TOO_LARGE",
                  "UNAVAILABLE",
                  "INTERNAL"
                ],
                "description": "Wire name of the error (SPEC §10)."
              },
              "message": {
                "type": "string",
                "description": "A human-readable sentence."
              },
              "field": {
                "type": "string",
                "description": "The request field (body key or query parameter) at fault, when one is."
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "Id": {
        "type": "string",
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$",
        "minLength": 1,
        "maxLength": 128,
        "description": "An identifier (SPEC §4): 1 to 128 characters, starting with a letter or digit."
      },
      "Timestamp": {
        "type": "string",
        "format": "date-time",
        "description": "A UTC RFC 3339 timestamp with milliseconds, e.g. 2026-01-31T12:00:00.000Z."
      },
      "Date": {
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": "A calendar day, YYYY-MM-DD."
      },
      "DateOrInstant": {
        "type": "string",
        "description": "A date (YYYY-MM-DD: as a lower bound its first millisecond, as an upper bound its last) or an RFC 3339 instant."
      },
      "ActionTypeName": {
        "type": "string",
        "pattern": "^[A-Z][A-Z0-9_]{0,63}$",
        "maxLength": 64,
        "description": "An action type name: UPPER_SNAKE_CASE, at most 64 characters (e.g. CREATE_INTERNAL_TASK)."
      },
      "TriggerTypeName": {
        "type": "string",
        "pattern": "^[A-Z][A-Z0-9_]{0,63}$",
        "maxLength": 64,
        "description": "A RUN_DECISION trigger type: upper-case letters, digits and _, at most 64, starting with a letter (e.g. SIGNAL_ARRIVED, TIME_RITUAL_DAILY_BRIEF)."
      },
      "EventTypeName": {
        "type": "string",
        "pattern": "^[A-Z_]{1,64}$",
        "description": "An event type name, [A-Z_]{1,64} (e.g. EXECUTION_COMPLETED)."
      },
      "RiskLevel": {
        "type": "string",
        "enum": [
          "MINIMAL",
          "LOW",
          "MEDIUM",
          "HIGH"
        ]
      },
      "AutonomyMode": {
        "type": "string",
        "enum": [
          "PROPOSE_ONLY",
          "APPROVAL_REQUIRED",
          "AUTO_EXECUTE",
          "DISABLED"
        ]
      },
      "IntentStatus": {
        "type": "string",
        "enum": [
          "PROPOSED",
          "AWAITING_APPROVAL",
          "APPROVED",
          "EXECUTING",
          "SUCCEEDED",
          "FAILED",
          "BLOCKED",
          "REJECTED",
          "CANCELLED",
          "EXPIRED"
        ]
      },
      "GateResult": {
        "type": "string",
        "enum": [
          "AUTO_EXECUTED",
          "REQUIRE_APPROVAL",
          "BLOCKED"
        ]
      },
      "GateReason": {
        "type": "string",
        "enum": [
          "INTENT_NOT_FOUND",
          "INTENT_NOT_PENDING",
          "INTENT_EXPIRED",
          "KILL_SWITCH",
          "ACTION_TYPE_NOT_ALLOWLISTED",
          "ACTION_TYPE_DISABLED",
          "PROPOSE_ONLY",
          "TENANT_POLICY",
          "EXTERNAL_CONTACT",
          "RISK_LEVEL_HIGH",
          "CONFIDENCE_BELOW_THRESHOLD",
          "AUTO_EXECUTE_ALLOWED",
          "BUDGET_NOT_CONFIGURED",
          "BUDGET_EXCEEDED"
        ],
        "description": "Why the gate decided as it did (SPEC §5)."
      },
      "PolicyDecision": {
        "type": "string",
        "enum": [
          "AUTO_EXECUTE",
          "REQUIRE_APPROVAL",
          "BLOCK"
        ]
      },
      "ApprovalSource": {
        "type": "string",
        "enum": [
          "POLICY",
          "HUMAN"
        ]
      },
      "AttemptStatus": {
        "type": "string",
        "enum": [
          "RUNNING",
          "SUCCEEDED",
          "FAILED",
          "CANCELLED"
        ]
      },
      "OutcomeStatus": {
        "type": "string",
        "enum": [
          "SUCCEEDED",
          "FAILED",
          "CANCELLED",
          "EXPIRED"
        ]
      },
      "ErrorClass": {
        "type": "string",
        "enum": [
          "AUTH",
          "RATE_LIMIT",
          "VALIDATION",
          "DOWNSTREAM",
          "TIMEOUT",
          "UNKNOWN"
        ]
      },
      "Taxonomy": {
        "type": "string",
        "enum": [
          "EXECUTION_SUCCEEDED",
          "EXECUTION_FAILED",
          "IDEA_REJECTED",
          "IDEA_EDITED"
        ]
      },
      "CostGateResult": {
        "type": "string",
        "enum": [
          "ALLOW",
          "DEFER",
          "SKIP"
        ]
      },
      "CostGateReason": {
        "type": "string",
        "enum": [
          "DUPLICATE",
          "UNKNOWN_TRIGGER_TYPE",
          "BUDGET_EXHAUSTED",
          "DEBOUNCED",
          "COOLDOWN",
          "RATE_LIMITED",
          "MARGINAL_VALUE_LOW",
          "RETRY_EXHAUSTED"
        ],
        "description": "Why the cost gate deferred or skipped (SPEC §7); absent on ALLOW."
      },
      "ExportFormat": {
        "type": "string",
        "enum": [
          "csv",
          "json",
          "ndjson"
        ]
      },
      "ExportStatus": {
        "type": "string",
        "enum": [
          "PENDING",
          "RUNNING",
          "COMPLETED",
          "FAILED",
          "EXPIRED"
        ],
        "description": "EXPIRED: the file was removed after its retention."
      },
      "LedgerEventType": {
        "type": "string",
        "enum": [
          "INTENT_CREATED",
          "POLICY_EVALUATED",
          "ACTION_APPROVED",
          "ACTION_REJECTED",
          "ACTION_EDITED",
          "EXECUTION_STARTED",
          "ACTION_EXECUTED",
          "ACTION_FAILED",
          "EXECUTION_CANCELLED",
          "EXECUTION_EXPIRED",
          "REPLAY_REQUESTED",
          "REPLAY_STARTED",
          "COST_GATE_EVALUATED",
          "CONFIG_CHANGED",
          "KILL_SWITCH_CHANGED",
          "BUDGET_STATE_RESET",
          "AUDIT_EXPORT_REQUESTED"
        ]
      },
      "DeliveryStatus": {
        "type": "string",
        "enum": [
          "PENDING",
          "DELIVERED",
          "DEAD"
        ]
      },
      "Null": {
        "type": "object",
        "nullable": true,
        "enum": [
          null
        ],
        "description": "JSON null (the second branch of a nullable reference)."
      },
      "ExecutionPolicy": {
        "type": "object",
        "description": "How an approved intent is executed. Giving one of retry_count / max_attempts derives the other.",
        "properties": {
          "retry_count": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 9,
            "description": "Retries after the first attempt (0..9; default 2)."
          },
          "timeout_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 300,
            "description": "Connector timeout per attempt (1..300; default 30)."
          },
          "max_attempts": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 10,
            "description": "Attempts in all (1..10; default 3); must equal retry_count + 1."
          }
        },
        "additionalProperties": false
      },
      "GateDecision": {
        "type": "object",
        "description": "The gate decision recorded on an intent.",
        "required": [
          "result",
          "reason",
          "explanation",
          "policy_version",
          "policy_clause",
          "decided_at"
        ],
        "properties": {
          "result": {
            "$ref": "#/components/schemas/GateResult"
          },
          "reason": {
            "$ref": "#/components/schemas/GateReason"
          },
          "explanation": {
            "type": "string",
            "description": "A human sentence."
          },
          "policy_version": {
            "type": "string",
            "example": "AutoApprovalPolicyV1"
          },
          "policy_clause": {
            "type": "string"
          },
          "decided_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "Approval": {
        "type": "object",
        "required": [
          "source",
          "by",
          "at",
          "edited_fields"
        ],
        "properties": {
          "source": {
            "$ref": "#/components/schemas/ApprovalSource"
          },
          "by": {
            "type": "string",
            "description": "The approver's subject, or the gate."
          },
          "at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "edited_fields": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Parameters a human changed when approving."
          },
          "comment": {
            "type": "string",
            "description": "The approver's comment, when one was given."
          }
        }
      },
      "Intent": {
        "type": "object",
        "description": "An action intent (SPEC §4).",
        "required": [
          "action_intent_id",
          "tenant_id",
          "account_id",
          "action_type",
          "parameters",
          "target",
          "parameters_schema_version",
          "confidence_score",
          "risk_level",
          "expires_at",
          "execution_policy",
          "registry_version",
          "original_decision_id",
          "trace_id",
          "created_at",
          "created_by",
          "updated_at",
          "status",
          "gate",
          "approval"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "tenant_id": {
            "$ref": "#/components/schemas/Id"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "action_type": {
            "$ref": "#/components/schemas/ActionTypeName"
          },
          "parameters": {
            "type": "object",
            "additionalProperties": true
          },
          "target": {
            "type": "object",
            "additionalProperties": true
          },
          "parameters_schema_version": {
            "type": "string",
            "nullable": true
          },
          "confidence_score": {
            "type": "number",
            "format": "double",
            "minimum": 0,
            "maximum": 1,
            "nullable": true
          },
          "risk_level": {
            "type": "string",
            "nullable": true,
            "enum": [
              "MINIMAL",
              "LOW",
              "MEDIUM",
              "HIGH",
              null
            ]
          },
          "expires_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "execution_policy": {
            "$ref": "#/components/schemas/ExecutionPolicy"
          },
          "registry_version": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The action type registry version fixed at creation."
          },
          "original_decision_id": {
            "type": "string",
            "nullable": true
          },
          "trace_id": {
            "type": "string",
            "nullable": true
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "created_by": {
            "type": "string",
            "description": "The creating principal (token `sub`)."
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "status": {
            "$ref": "#/components/schemas/IntentStatus"
          },
          "gate": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/GateDecision"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ],
            "description": "The last gate decision; null when the gate never ran."
          },
          "approval": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Approval"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ],
            "description": "Null until approved."
          }
        }
      },
      "IntentList": {
        "type": "object",
        "description": "A page of intents, newest first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Intent"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "CreateIntentRequest": {
        "type": "object",
        "required": [
          "account_id",
          "action_type"
        ],
        "properties": {
          "action_intent_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "Client-given id; generated (ai_<ULID>) when absent."
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "action_type": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "A registered action type (built-in or the tenant's)."
          },
          "parameters": {
            "type": "object",
            "additionalProperties": true,
            "description": "Tool arguments (default {})."
          },
          "target": {
            "type": "object",
            "additionalProperties": true,
            "description": "What the action is about (default {})."
          },
          "parameters_schema_version": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64
          },
          "confidence_score": {
            "type": "number",
            "format": "double",
            "minimum": 0,
            "maximum": 1,
            "nullable": true,
            "description": "0 to 1; missing counts as 0 for the policy."
          },
          "risk_level": {
            "$ref": "#/components/schemas/RiskLevel"
          },
          "expires_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339, in the future. Not together with ttl_seconds."
          },
          "ttl_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 2592000,
            "description": "Expiry relative to now (1 s .. 30 days). Not together with expires_at."
          },
          "execution_policy": {
            "$ref": "#/components/schemas/ExecutionPolicy"
          },
          "original_decision_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trace_id": {
            "$ref": "#/components/schemas/Id"
          },
          "gate": {
            "type": "string",
            "enum": [
              "auto",
              "none"
            ],
            "default": "auto",
            "description": "`auto` (default) runs the gate at once; `none` leaves the intent PROPOSED."
          }
        },
        "additionalProperties": false
      },
      "GatePolicySection": {
        "type": "object",
        "required": [
          "decision",
          "reason",
          "explanation",
          "policy_version",
          "policy_clause"
        ],
        "properties": {
          "decision": {
            "$ref": "#/components/schemas/PolicyDecision"
          },
          "reason": {
            "type": "string",
            "description": "The policy's reason, or the gate step that stopped first."
          },
          "explanation": {
            "type": "string"
          },
          "policy_version": {
            "type": "string",
            "example": "AutoApprovalPolicyV1"
          },
          "policy_clause": {
            "type": "string"
          }
        }
      },
      "GateBudget": {
        "type": "object",
        "required": [
          "limit",
          "used",
          "remaining"
        ],
        "properties": {
          "limit": {
            "type": "integer",
            "format": "int64"
          },
          "used": {
            "type": "integer",
            "format": "int64"
          },
          "remaining": {
            "type": "integer",
            "format": "int64"
          }
        }
      },
      "GateAnswer": {
        "type": "object",
        "description": "The auto-approval gate's answer (SPEC §5).",
        "required": [
          "result",
          "reason",
          "explanation",
          "action_intent_id",
          "already_published",
          "policy",
          "budget"
        ],
        "properties": {
          "result": {
            "$ref": "#/components/schemas/GateResult"
          },
          "reason": {
            "$ref": "#/components/schemas/GateReason"
          },
          "explanation": {
            "type": "string"
          },
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "already_published": {
            "type": "boolean",
            "description": "True when the intent had already been auto-executed (nothing consumed again)."
          },
          "policy": {
            "$ref": "#/components/schemas/GatePolicySection"
          },
          "budget": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/GateBudget"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ],
            "description": "Null when the gate stopped before the budget step."
          }
        }
      },
      "CreateIntentResponse": {
        "type": "object",
        "required": [
          "intent"
        ],
        "properties": {
          "intent": {
            "$ref": "#/components/schemas/Intent"
          },
          "gate": {
            "allOf": [
              {
                "$ref": "#/components/schemas/GateAnswer"
              }
            ],
            "description": "Present when the gate ran (absent with `gate: none`)."
          }
        }
      },
      "ExistingIntentResponse": {
        "type": "object",
        "description": "An identical repeat of a create: the intent as it is now.",
        "required": [
          "intent"
        ],
        "properties": {
          "intent": {
            "$ref": "#/components/schemas/Intent"
          },
          "gate": {
            "allOf": [
              {
                "$ref": "#/components/schemas/GateDecision"
              }
            ],
            "description": "The gate decision recorded on the intent, when the gate ran."
          }
        }
      },
      "GateRequest": {
        "type": "object",
        "required": [
          "action_intent_id",
          "account_id"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "tenant_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "Optional; must equal the token's tenant (else 403)."
          }
        },
        "additionalProperties": false
      },
      "CancelIntentRequest": {
        "type": "object",
        "properties": {
          "account_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "When given, the intent must belong to this account."
          },
          "reason": {
            "type": "string",
            "maxLength": 1024
          }
        },
        "additionalProperties": false
      },
      "ModeConfig": {
        "type": "object",
        "required": [
          "account_id",
          "action_type",
          "mode",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "account_id": {
            "type": "string",
            "description": "Null: the whole tenant.",
            "nullable": true
          },
          "action_type": {
            "type": "string",
            "description": "An action type or DEFAULT."
          },
          "mode": {
            "$ref": "#/components/schemas/AutonomyMode"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          }
        }
      },
      "ModeList": {
        "type": "object",
        "required": [
          "items"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ModeConfig"
            }
          },
          "effective": {
            "type": "object",
            "description": "Present when both account_id and action_type were given: the resolved mode.",
            "required": [
              "mode",
              "source"
            ],
            "properties": {
              "mode": {
                "$ref": "#/components/schemas/AutonomyMode"
              },
              "source": {
                "type": "string",
                "description": "Which configuration row decided (or the built-in default)."
              }
            }
          }
        }
      },
      "PutModeRequest": {
        "type": "object",
        "required": [
          "mode"
        ],
        "properties": {
          "account_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "Absent: the whole tenant."
          },
          "action_type": {
            "type": "string",
            "description": "An action type, or DEFAULT (the default when absent)."
          },
          "mode": {
            "$ref": "#/components/schemas/AutonomyMode"
          }
        },
        "additionalProperties": false
      },
      "ModeDeleted": {
        "type": "object",
        "required": [
          "deleted",
          "account_id",
          "action_type"
        ],
        "properties": {
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          },
          "account_id": {
            "type": "string",
            "nullable": true
          },
          "action_type": {
            "type": "string"
          }
        }
      },
      "Allowlist": {
        "type": "object",
        "required": [
          "account_id",
          "action_types",
          "source",
          "configured",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "account_id": {
            "type": "string",
            "description": "Null: the whole tenant.",
            "nullable": true
          },
          "action_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ActionTypeName"
            },
            "description": "The effective list (sorted)."
          },
          "source": {
            "type": "string",
            "enum": [
              "account",
              "tenant",
              "none"
            ],
            "description": "Where the effective list comes from."
          },
          "configured": {
            "type": "boolean",
            "description": "True when this scope has a list of its own."
          },
          "updated_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "updated_by": {
            "type": "string",
            "nullable": true
          }
        }
      },
      "PutAllowlistRequest": {
        "type": "object",
        "required": [
          "action_types"
        ],
        "properties": {
          "account_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "Absent: the tenant list."
          },
          "action_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ActionTypeName"
            },
            "description": "Known action types; an empty list allows nothing."
          }
        },
        "additionalProperties": false
      },
      "AllowlistDeleted": {
        "type": "object",
        "required": [
          "deleted",
          "account_id"
        ],
        "properties": {
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          },
          "account_id": {
            "type": "string",
            "nullable": true
          }
        }
      },
      "Budget": {
        "type": "object",
        "description": "An account's autonomy budget with today's usage.",
        "required": [
          "account_id",
          "max_autonomous_per_day",
          "max_per_action_type",
          "timezone",
          "day",
          "used_today",
          "remaining_today",
          "used_per_action_type",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "max_autonomous_per_day": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "max_per_action_type": {
            "type": "object",
            "additionalProperties": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          },
          "timezone": {
            "type": "string",
            "default": "UTC",
            "description": "IANA time zone of the day boundary."
          },
          "day": {
            "$ref": "#/components/schemas/Date"
          },
          "used_today": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "remaining_today": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "used_per_action_type": {
            "type": "object",
            "additionalProperties": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          }
        }
      },
      "BudgetConfig": {
        "type": "object",
        "required": [
          "account_id",
          "max_autonomous_per_day",
          "max_per_action_type",
          "timezone",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "max_autonomous_per_day": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "max_per_action_type": {
            "type": "object",
            "additionalProperties": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          },
          "timezone": {
            "type": "string"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          }
        }
      },
      "PutBudgetRequest": {
        "type": "object",
        "required": [
          "account_id",
          "max_autonomous_per_day"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "max_autonomous_per_day": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 1000000
          },
          "max_per_action_type": {
            "type": "object",
            "additionalProperties": {
              "type": "integer",
              "format": "int64",
              "minimum": 0,
              "maximum": 1000000
            },
            "description": "Per action type limits (known types only)."
          },
          "timezone": {
            "type": "string",
            "default": "UTC",
            "description": "IANA time zone name (default UTC)."
          }
        },
        "additionalProperties": false
      },
      "BudgetDeleted": {
        "type": "object",
        "required": [
          "deleted",
          "account_id"
        ],
        "properties": {
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          }
        }
      },
      "BudgetState": {
        "type": "object",
        "required": [
          "account_id",
          "date",
          "total",
          "per_action_type"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "date": {
            "$ref": "#/components/schemas/Date"
          },
          "total": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "per_action_type": {
            "type": "object",
            "additionalProperties": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          }
        }
      },
      "BudgetStateReset": {
        "type": "object",
        "required": [
          "account_id",
          "date",
          "reset",
          "before"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "date": {
            "$ref": "#/components/schemas/Date"
          },
          "reset": {
            "type": "boolean",
            "enum": [
              true
            ]
          },
          "before": {
            "type": "object",
            "required": [
              "total",
              "per_action_type"
            ],
            "properties": {
              "total": {
                "type": "integer",
                "format": "int64"
              },
              "per_action_type": {
                "type": "object",
                "additionalProperties": {
                  "type": "integer",
                  "format": "int64"
                }
              }
            }
          }
        }
      },
      "KillSwitches": {
        "type": "object",
        "required": [
          "autonomy_enabled",
          "execution_enabled",
          "disabled_action_types",
          "emergency_stop",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "autonomy_enabled": {
            "type": "boolean",
            "description": "The gate may auto-execute."
          },
          "execution_enabled": {
            "type": "boolean",
            "description": "Anything may execute."
          },
          "disabled_action_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ActionTypeName"
            }
          },
          "emergency_stop": {
            "type": "boolean",
            "description": "The platform-wide emergency stop (read-only here)."
          },
          "updated_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "updated_by": {
            "type": "string",
            "nullable": true
          }
        }
      },
      "PutKillSwitchesRequest": {
        "type": "object",
        "description": "At least one field.",
        "properties": {
          "autonomy_enabled": {
            "type": "boolean"
          },
          "execution_enabled": {
            "type": "boolean"
          },
          "disabled_action_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ActionTypeName"
            }
          }
        },
        "additionalProperties": false
      },
      "PolicySettings": {
        "type": "object",
        "required": [
          "policy_version",
          "confidence_threshold",
          "allow_self_approval",
          "max_pending_jobs",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "policy_version": {
            "type": "string",
            "example": "AutoApprovalPolicyV1"
          },
          "confidence_threshold": {
            "type": "number",
            "format": "double",
            "minimum": 0,
            "maximum": 1,
            "default": 0.7
          },
          "allow_self_approval": {
            "type": "boolean",
            "default": false
          },
          "max_pending_jobs": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "Backpressure bound: pending jobs beyond it answer 429."
          },
          "updated_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "updated_by": {
            "type": "string",
            "nullable": true
          }
        }
      },
      "PutPolicyRequest": {
        "type": "object",
        "description": "At least one field.",
        "properties": {
          "confidence_threshold": {
            "type": "number",
            "format": "double",
            "minimum": 0,
            "maximum": 1
          },
          "allow_self_approval": {
            "type": "boolean"
          },
          "max_pending_jobs": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 100000000
          }
        },
        "additionalProperties": false
      },
      "EmergencyStopRequest": {
        "type": "object",
        "required": [
          "engaged"
        ],
        "properties": {
          "engaged": {
            "type": "boolean"
          }
        },
        "additionalProperties": false
      },
      "EmergencyStop": {
        "type": "object",
        "required": [
          "emergency_stop",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "emergency_stop": {
            "type": "boolean"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string",
            "description": "tenant/subject of the caller."
          }
        }
      },
      "ActionType": {
        "type": "object",
        "description": "One version of an action type (SPEC §4).",
        "required": [
          "action_type",
          "registry_version",
          "connector",
          "connector_id",
          "tool_name",
          "tool_schema_version",
          "risk_class",
          "min_confidence",
          "required_parameters",
          "compensation",
          "external_contact",
          "description",
          "builtin"
        ],
        "properties": {
          "action_type": {
            "$ref": "#/components/schemas/ActionTypeName"
          },
          "registry_version": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "connector": {
            "type": "string",
            "enum": [
              "internal",
              "http"
            ]
          },
          "connector_id": {
            "$ref": "#/components/schemas/Id"
          },
          "tool_name": {
            "type": "string"
          },
          "tool_schema_version": {
            "type": "string"
          },
          "risk_class": {
            "$ref": "#/components/schemas/RiskLevel"
          },
          "min_confidence": {
            "type": "number",
            "format": "double",
            "minimum": 0,
            "maximum": 1
          },
          "required_parameters": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Names; `a|b` means one of them."
          },
          "compensation": {
            "type": "string",
            "enum": [
              "NONE",
              "MANUAL",
              "AUTOMATIC"
            ]
          },
          "external_contact": {
            "type": "boolean"
          },
          "description": {
            "type": "string"
          },
          "builtin": {
            "type": "boolean"
          }
        }
      },
      "ActionTypeList": {
        "type": "object",
        "description": "Built-in types, then the latest version of each tenant type.",
        "required": [
          "items"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ActionType"
            }
          }
        }
      },
      "PutActionTypeRequest": {
        "type": "object",
        "description": "A new version of a tenant action type (built-in types are immutable: 409).",
        "required": [
          "tool_name",
          "tool_schema_version",
          "risk_class"
        ],
        "properties": {
          "connector_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "An http connector of the tenant (default `default`; `internal` is refused)."
          },
          "tool_name": {
            "$ref": "#/components/schemas/Id"
          },
          "tool_schema_version": {
            "type": "string",
            "minLength": 1,
            "maxLength": 32
          },
          "risk_class": {
            "$ref": "#/components/schemas/RiskLevel"
          },
          "min_confidence": {
            "type": "number",
            "format": "double",
            "minimum": 0,
            "maximum": 1,
            "default": 0
          },
          "required_parameters": {
            "type": "array",
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 256
            }
          },
          "compensation": {
            "type": "string",
            "enum": [
              "NONE",
              "MANUAL",
              "AUTOMATIC"
            ],
            "default": "NONE"
          },
          "external_contact": {
            "type": "boolean",
            "default": false
          },
          "description": {
            "type": "string",
            "maxLength": 1024
          }
        },
        "additionalProperties": false
      },
      "LedgerEntry": {
        "type": "object",
        "description": "One hash-chained ledger entry (docs/LEDGER_FORMAT.md).",
        "required": [
          "tenant_id",
          "seq",
          "entry_id",
          "timestamp",
          "event_type",
          "account_id",
          "trace_id",
          "action_intent_id",
          "actor",
          "data",
          "prev_hash",
          "hash"
        ],
        "properties": {
          "tenant_id": {
            "$ref": "#/components/schemas/Id"
          },
          "seq": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "Gap-free per tenant, from 1."
          },
          "entry_id": {
            "type": "string"
          },
          "timestamp": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "event_type": {
            "$ref": "#/components/schemas/LedgerEventType"
          },
          "account_id": {
            "type": "string",
            "nullable": true
          },
          "trace_id": {
            "type": "string",
            "nullable": true
          },
          "action_intent_id": {
            "type": "string",
            "nullable": true
          },
          "actor": {
            "type": "string"
          },
          "data": {
            "type": "object",
            "additionalProperties": true
          },
          "prev_hash": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$"
          },
          "hash": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "SHA-256(prev_hash ‖ canonical JSON of the entry without hash), hex."
          }
        }
      },
      "LedgerPage": {
        "type": "object",
        "description": "A page of ledger entries.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/LedgerEntry"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "LedgerVerifyResult": {
        "type": "object",
        "required": [
          "ok",
          "checked"
        ],
        "properties": {
          "ok": {
            "type": "boolean"
          },
          "checked": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "first_broken_seq": {
            "type": "integer",
            "format": "int64",
            "description": "Present when the chain is broken."
          },
          "reason": {
            "type": "string",
            "description": "Present when the chain is broken."
          }
        }
      },
      "ApproveRequest": {
        "type": "object",
        "required": [
          "account_id"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "parameters": {
            "type": "object",
            "additionalProperties": true,
            "description": "Edited parameters (replace the proposed ones; taxonomy IDEA_EDITED)."
          },
          "comment": {
            "type": "string",
            "maxLength": 1024
          }
        },
        "additionalProperties": false
      },
      "RejectRequest": {
        "type": "object",
        "required": [
          "account_id",
          "reason"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1024
          }
        },
        "additionalProperties": false
      },
      "ReplayRequest": {
        "type": "object",
        "required": [
          "action_intent_id",
          "account_id",
          "replay_reason"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "replay_reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": 1024
          }
        },
        "additionalProperties": false
      },
      "ReplayAccepted": {
        "type": "object",
        "required": [
          "action_intent_id",
          "account_id",
          "execution_no",
          "status",
          "requested_by"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "execution_no": {
            "type": "integer",
            "format": "int64",
            "minimum": 2
          },
          "status": {
            "type": "string",
            "enum": [
              "PENDING"
            ]
          },
          "requested_by": {
            "type": "string"
          }
        }
      },
      "ExternalObjectRef": {
        "type": "object",
        "required": [
          "system",
          "object_type",
          "object_id"
        ],
        "properties": {
          "system": {
            "type": "string"
          },
          "object_type": {
            "type": "string"
          },
          "object_id": {
            "type": "string"
          },
          "object_url": {
            "type": "string"
          }
        }
      },
      "Attempt": {
        "type": "object",
        "required": [
          "execution_no",
          "status",
          "attempt_count",
          "idempotency_key",
          "last_error_class",
          "last_error_message",
          "started_at",
          "updated_at"
        ],
        "properties": {
          "execution_no": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "1 for the first execution, then one per replay."
          },
          "status": {
            "$ref": "#/components/schemas/AttemptStatus"
          },
          "attempt_count": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "idempotency_key": {
            "type": "string",
            "description": "SHA-256 over tenant, intent, tool, canonical parameters and registry version."
          },
          "last_error_class": {
            "type": "string",
            "nullable": true,
            "enum": [
              "AUTH",
              "RATE_LIMIT",
              "VALIDATION",
              "DOWNSTREAM",
              "TIMEOUT",
              "UNKNOWN",
              null
            ]
          },
          "last_error_message": {
            "type": "string",
            "nullable": true
          },
          "started_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "replay_reason": {
            "type": "string",
            "description": "Replays only.",
            "nullable": true
          },
          "requested_by": {
            "type": "string",
            "description": "Replays only.",
            "nullable": true
          }
        }
      },
      "Outcome": {
        "type": "object",
        "description": "The final, immutable result of one execution (SPEC §4).",
        "required": [
          "action_intent_id",
          "execution_no",
          "account_id",
          "action_type",
          "status",
          "approval_source",
          "auto_executed",
          "taxonomy",
          "external_object_refs",
          "error_code",
          "error_class",
          "error_message",
          "attempt_count",
          "tool_name",
          "tool_schema_version",
          "registry_version",
          "trace_id",
          "started_at",
          "completed_at"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "execution_no": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "action_type": {
            "$ref": "#/components/schemas/ActionTypeName"
          },
          "status": {
            "$ref": "#/components/schemas/OutcomeStatus"
          },
          "approval_source": {
            "type": "string",
            "nullable": true,
            "enum": [
              "POLICY",
              "HUMAN",
              null
            ]
          },
          "auto_executed": {
            "type": "boolean"
          },
          "taxonomy": {
            "$ref": "#/components/schemas/Taxonomy"
          },
          "external_object_refs": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ExternalObjectRef"
            }
          },
          "error_code": {
            "type": "string",
            "nullable": true
          },
          "error_class": {
            "type": "string",
            "nullable": true,
            "enum": [
              "AUTH",
              "RATE_LIMIT",
              "VALIDATION",
              "DOWNSTREAM",
              "TIMEOUT",
              "UNKNOWN",
              null
            ]
          },
          "error_message": {
            "type": "string",
            "nullable": true
          },
          "attempt_count": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "tool_name": {
            "type": "string"
          },
          "tool_schema_version": {
            "type": "string"
          },
          "registry_version": {
            "type": "integer",
            "format": "int64"
          },
          "trace_id": {
            "type": "string",
            "nullable": true
          },
          "started_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "completed_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "Execution": {
        "type": "object",
        "required": [
          "action_intent_id",
          "attempt",
          "outcome",
          "replays"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "attempt": {
            "$ref": "#/components/schemas/Attempt"
          },
          "outcome": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Outcome"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ],
            "description": "Null while the execution runs."
          },
          "replays": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "attempt",
                "outcome"
              ],
              "properties": {
                "attempt": {
                  "$ref": "#/components/schemas/Attempt"
                },
                "outcome": {
                  "anyOf": [
                    {
                      "$ref": "#/components/schemas/Outcome"
                    },
                    {
                      "$ref": "#/components/schemas/Null"
                    }
                  ]
                }
              }
            },
            "description": "Replays after the first execution, in order."
          }
        }
      },
      "OutcomeList": {
        "type": "object",
        "description": "A page of outcomes, most recently completed first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Outcome"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "InternalObject": {
        "type": "object",
        "required": [
          "object_id",
          "kind",
          "account_id",
          "action_intent_id",
          "title",
          "body",
          "parameters",
          "created_at"
        ],
        "properties": {
          "object_id": {
            "type": "string"
          },
          "kind": {
            "type": "string",
            "enum": [
              "task",
              "note",
              "flag"
            ]
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "title": {
            "type": "string",
            "nullable": true
          },
          "body": {
            "type": "string",
            "nullable": true
          },
          "parameters": {
            "type": "object",
            "additionalProperties": true
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "InternalObjectList": {
        "type": "object",
        "description": "A page of internal objects, newest first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/InternalObject"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "CircuitBreaker": {
        "type": "object",
        "required": [
          "state",
          "recent_failures",
          "failure_threshold",
          "window_seconds",
          "cooldown_seconds"
        ],
        "properties": {
          "state": {
            "type": "string",
            "enum": [
              "CLOSED",
              "OPEN",
              "HALF_OPEN"
            ]
          },
          "recent_failures": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "failure_threshold": {
            "type": "integer",
            "format": "int64"
          },
          "window_seconds": {
            "type": "integer",
            "format": "int64"
          },
          "cooldown_seconds": {
            "type": "integer",
            "format": "int64"
          },
          "opened_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "retry_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "probe_lease_until": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "Connector": {
        "type": "object",
        "description": "A connector's settings (never its secret) and circuit breaker state.",
        "required": [
          "connector_id",
          "kind"
        ],
        "properties": {
          "connector_id": {
            "$ref": "#/components/schemas/Id"
          },
          "kind": {
            "type": "string",
            "enum": [
              "http",
              "internal"
            ]
          },
          "builtin": {
            "type": "boolean",
            "description": "internal only."
          },
          "url": {
            "type": "string"
          },
          "timeout_ms": {
            "type": "integer",
            "format": "int64"
          },
          "secret_set": {
            "type": "boolean"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          },
          "circuit_breaker": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/CircuitBreaker"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ]
          }
        }
      },
      "PutConnectorRequest": {
        "type": "object",
        "required": [
          "url"
        ],
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "http"
            ],
            "default": "http"
          },
          "url": {
            "type": "string",
            "maxLength": 2048,
            "pattern": "^https?://[^\\s]+$",
            "description": "http:// or https://, at most 2048 characters."
          },
          "timeout_ms": {
            "type": "integer",
            "format": "int64",
            "minimum": 100,
            "maximum": 120000,
            "default": 10000
          },
          "secret": {
            "type": "string",
            "minLength": 16,
            "maxLength": 512,
            "description": "HMAC signing secret; omitted keeps the current one."
          }
        },
        "additionalProperties": false
      },
      "TriggerRequest": {
        "type": "object",
        "description": "A RUN_DECISION (SPEC §7).",
        "required": [
          "account_id",
          "trigger_type",
          "idempotency_key"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "idempotency_key": {
            "$ref": "#/components/schemas/Id"
          },
          "correlation_id": {
            "$ref": "#/components/schemas/Id"
          },
          "scheduled_at": {
            "type": "string",
            "format": "date-time"
          }
        },
        "additionalProperties": false
      },
      "TriggerEnvelope": {
        "type": "object",
        "description": "The event-bus envelope form of a RUN_DECISION.",
        "required": [
          "detail"
        ],
        "properties": {
          "detail": {
            "type": "object",
            "required": [
              "account_id",
              "trigger_type",
              "idempotency_key"
            ],
            "properties": {
              "account_id": {
                "$ref": "#/components/schemas/Id"
              },
              "trigger_type": {
                "$ref": "#/components/schemas/TriggerTypeName"
              },
              "idempotency_key": {
                "$ref": "#/components/schemas/Id"
              },
              "correlation_id": {
                "$ref": "#/components/schemas/Id"
              },
              "scheduled_at": {
                "type": "string",
                "format": "date-time"
              },
              "tenant_id": {
                "allOf": [
                  {
                    "$ref": "#/components/schemas/Id"
                  }
                ],
                "description": "Must equal the token's tenant."
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "CostGateAnswer": {
        "type": "object",
        "description": "A cost-gate answer (SPEC §7, §10).",
        "required": [
          "result",
          "explanation",
          "idempotency_key"
        ],
        "properties": {
          "result": {
            "$ref": "#/components/schemas/CostGateResult"
          },
          "reason": {
            "$ref": "#/components/schemas/CostGateReason"
          },
          "explanation": {
            "type": "string"
          },
          "idempotency_key": {
            "$ref": "#/components/schemas/Id"
          },
          "run_id": {
            "type": "integer",
            "format": "int64"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "evaluated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "defer_until": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              }
            ],
            "description": "DEFER only."
          },
          "retry_after_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "DEFER only."
          },
          "retry_key": {
            "type": "string",
            "description": "DEFER only: the idempotency key of the one scheduled retry."
          },
          "original_key": {
            "type": "string",
            "description": "On a retry: the key of the deferred original."
          },
          "original": {
            "type": "object",
            "additionalProperties": true,
            "description": "DUPLICATE only: the first evaluation's answer."
          }
        }
      },
      "Reservation": {
        "type": "object",
        "required": [
          "idempotency_key",
          "account_id",
          "trigger_type",
          "correlation_id",
          "reserved_at",
          "expires_at",
          "result"
        ],
        "properties": {
          "idempotency_key": {
            "$ref": "#/components/schemas/Id"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "correlation_id": {
            "type": "string",
            "nullable": true
          },
          "reserved_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "expires_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "result": {
            "$ref": "#/components/schemas/CostGateAnswer"
          }
        }
      },
      "ReservationDeleted": {
        "type": "object",
        "required": [
          "idempotency_key",
          "deleted"
        ],
        "properties": {
          "idempotency_key": {
            "$ref": "#/components/schemas/Id"
          },
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          }
        }
      },
      "DecisionRun": {
        "type": "object",
        "required": [
          "run_id",
          "account_id",
          "trigger_type",
          "idempotency_key",
          "result",
          "reason",
          "defer_until",
          "evaluated_at",
          "explanation",
          "is_retry",
          "inputs"
        ],
        "properties": {
          "run_id": {
            "type": "integer",
            "format": "int64"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "idempotency_key": {
            "$ref": "#/components/schemas/Id"
          },
          "result": {
            "$ref": "#/components/schemas/CostGateResult"
          },
          "reason": {
            "type": "string",
            "nullable": true,
            "enum": [
              "DUPLICATE",
              "UNKNOWN_TRIGGER_TYPE",
              "BUDGET_EXHAUSTED",
              "DEBOUNCED",
              "COOLDOWN",
              "RATE_LIMITED",
              "MARGINAL_VALUE_LOW",
              "RETRY_EXHAUSTED",
              null
            ]
          },
          "defer_until": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "evaluated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "explanation": {
            "type": "string"
          },
          "is_retry": {
            "type": "boolean"
          },
          "inputs": {
            "type": "object",
            "additionalProperties": true,
            "description": "The cost gate's recorded inputs."
          }
        }
      },
      "DecisionRunList": {
        "type": "object",
        "description": "A page of evaluations, newest first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/DecisionRun"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "TriggerConfig": {
        "type": "object",
        "required": [
          "trigger_type",
          "enabled",
          "debounce_seconds",
          "cooldown_seconds",
          "max_per_hour",
          "source"
        ],
        "properties": {
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "enabled": {
            "type": "boolean"
          },
          "debounce_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "cooldown_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "max_per_hour": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "source": {
            "type": "string",
            "enum": [
              "default",
              "tenant"
            ]
          },
          "updated_at": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              }
            ],
            "description": "Tenant overrides only."
          },
          "updated_by": {
            "type": "string",
            "description": "Tenant overrides only."
          }
        }
      },
      "TriggerList": {
        "type": "object",
        "required": [
          "items"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/TriggerConfig"
            }
          }
        }
      },
      "PutTriggerRequest": {
        "type": "object",
        "description": "A new trigger type needs debounce_seconds, cooldown_seconds and max_per_hour.",
        "required": [
          "trigger_type"
        ],
        "properties": {
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "enabled": {
            "type": "boolean",
            "default": true
          },
          "debounce_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 2592000
          },
          "cooldown_seconds": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 31536000
          },
          "max_per_hour": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 3600
          }
        },
        "additionalProperties": false
      },
      "TriggerDeleted": {
        "type": "object",
        "required": [
          "trigger_type",
          "deleted",
          "effective"
        ],
        "properties": {
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          },
          "effective": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/TriggerConfig"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ],
            "description": "The built-in default that applies now, if any."
          }
        }
      },
      "DecisionBudget": {
        "type": "object",
        "required": [
          "account_id",
          "max_per_day",
          "source",
          "day",
          "used_today",
          "remaining_today"
        ],
        "properties": {
          "account_id": {
            "type": "string",
            "nullable": true
          },
          "max_per_day": {
            "type": "integer",
            "format": "int64",
            "nullable": true
          },
          "source": {
            "type": "string",
            "enum": [
              "account",
              "tenant",
              "none"
            ]
          },
          "day": {
            "$ref": "#/components/schemas/Date"
          },
          "used_today": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "remaining_today": {
            "type": "integer",
            "format": "int64",
            "nullable": true
          }
        }
      },
      "PutDecisionBudgetRequest": {
        "type": "object",
        "required": [
          "max_per_day"
        ],
        "properties": {
          "account_id": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Id"
              }
            ],
            "description": "Absent: the tenant default."
          },
          "max_per_day": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 1000000
          }
        },
        "additionalProperties": false
      },
      "OptIn": {
        "type": "object",
        "required": [
          "account_id",
          "opted_in"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "opted_in": {
            "type": "boolean"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          }
        }
      },
      "PutOptInRequest": {
        "type": "object",
        "required": [
          "account_id",
          "opted_in"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "opted_in": {
            "type": "boolean"
          }
        },
        "additionalProperties": false
      },
      "DigestSettings": {
        "type": "object",
        "required": [
          "enabled",
          "hour",
          "timezone"
        ],
        "properties": {
          "enabled": {
            "type": "boolean"
          },
          "hour": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 23
          },
          "timezone": {
            "type": "string"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          }
        }
      },
      "PutDigestSettingsRequest": {
        "type": "object",
        "required": [
          "enabled"
        ],
        "properties": {
          "enabled": {
            "type": "boolean"
          },
          "hour": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 23,
            "default": 8
          },
          "timezone": {
            "type": "string",
            "default": "UTC",
            "description": "IANA time zone name."
          }
        },
        "additionalProperties": false
      },
      "Schedule": {
        "type": "object",
        "required": [
          "account_id",
          "trigger_type",
          "cron",
          "timezone",
          "enabled",
          "next_fire_at",
          "last_slot_at",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "cron": {
            "type": "string",
            "description": "5 fields."
          },
          "timezone": {
            "type": "string"
          },
          "enabled": {
            "type": "boolean"
          },
          "next_fire_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "last_slot_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          }
        }
      },
      "ScheduleList": {
        "type": "object",
        "required": [
          "items"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Schedule"
            }
          }
        }
      },
      "PutScheduleRequest": {
        "type": "object",
        "description": "Enabling needs the account's opt-in and an active daily digest (else 409).",
        "required": [
          "account_id",
          "trigger_type",
          "cron",
          "timezone",
          "enabled"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "cron": {
            "type": "string",
            "description": "Five cron fields: minute hour day-of-month month day-of-week."
          },
          "timezone": {
            "type": "string",
            "description": "IANA time zone name."
          },
          "enabled": {
            "type": "boolean"
          }
        },
        "additionalProperties": false
      },
      "ScheduleDeleted": {
        "type": "object",
        "required": [
          "account_id",
          "trigger_type",
          "deleted"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "trigger_type": {
            "$ref": "#/components/schemas/TriggerTypeName"
          },
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          }
        }
      },
      "CreateExportRequest": {
        "type": "object",
        "required": [
          "from",
          "to"
        ],
        "properties": {
          "from": {
            "$ref": "#/components/schemas/DateOrInstant"
          },
          "to": {
            "allOf": [
              {
                "$ref": "#/components/schemas/DateOrInstant"
              }
            ],
            "description": "Inclusive; not before `from`; at most 366 days after it."
          },
          "format": {
            "allOf": [
              {
                "$ref": "#/components/schemas/ExportFormat"
              }
            ],
            "default": "csv"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          }
        },
        "additionalProperties": false
      },
      "AuditExportCreated": {
        "type": "object",
        "required": [
          "export_id",
          "status",
          "format",
          "from",
          "to",
          "account_id",
          "created_at"
        ],
        "properties": {
          "export_id": {
            "$ref": "#/components/schemas/Id"
          },
          "status": {
            "type": "string",
            "enum": [
              "PENDING"
            ]
          },
          "format": {
            "$ref": "#/components/schemas/ExportFormat"
          },
          "from": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "to": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "account_id": {
            "type": "string",
            "nullable": true
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "AuditExport": {
        "type": "object",
        "description": "An audit export (SPEC §9).",
        "required": [
          "export_id",
          "status",
          "format",
          "from",
          "to",
          "account_id",
          "row_count",
          "bytes",
          "sha256",
          "presigned_url",
          "expires_at",
          "error_message",
          "requested_by",
          "created_at",
          "started_at",
          "completed_at",
          "file_expires_at"
        ],
        "properties": {
          "export_id": {
            "$ref": "#/components/schemas/Id"
          },
          "status": {
            "$ref": "#/components/schemas/ExportStatus"
          },
          "format": {
            "$ref": "#/components/schemas/ExportFormat"
          },
          "from": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "to": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "account_id": {
            "type": "string",
            "nullable": true
          },
          "row_count": {
            "type": "integer",
            "format": "int64",
            "nullable": true
          },
          "bytes": {
            "type": "integer",
            "format": "int64",
            "nullable": true
          },
          "sha256": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "nullable": true
          },
          "presigned_url": {
            "type": "string",
            "format": "uri",
            "description": "COMPLETED only: an absolute …/v1/downloads/{export_id}?expires=&sig= link that needs no Authorization header.",
            "nullable": true
          },
          "expires_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true,
            "description": "When presigned_url stops working."
          },
          "error_message": {
            "type": "string",
            "nullable": true
          },
          "requested_by": {
            "type": "string"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "started_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "completed_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "file_expires_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true,
            "description": "When the file is removed (retention)."
          }
        }
      },
      "AuditExportList": {
        "type": "object",
        "description": "A page of exports, newest first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/AuditExport"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "Event": {
        "type": "object",
        "description": "One event of the tenant's feed (e.g. EXECUTION_COMPLETED, DECISION_EVALUATION_REQUESTED, DAILY_DIGEST).",
        "required": [
          "event_id",
          "type",
          "account_id",
          "action_intent_id",
          "data",
          "created_at"
        ],
        "properties": {
          "event_id": {
            "type": "string",
            "pattern": "^evt_[0-9]+$"
          },
          "type": {
            "$ref": "#/components/schemas/EventTypeName"
          },
          "account_id": {
            "type": "string",
            "nullable": true
          },
          "action_intent_id": {
            "type": "string",
            "nullable": true
          },
          "data": {
            "type": "object",
            "additionalProperties": true
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "EventPage": {
        "type": "object",
        "description": "Events after the cursor, oldest first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Event"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor to pass as `after` next time (unchanged when nothing new arrived)."
          }
        }
      },
      "Webhook": {
        "type": "object",
        "description": "A webhook (never its secret).",
        "required": [
          "webhook_id",
          "url",
          "event_types",
          "enabled",
          "secret_set",
          "created_at",
          "updated_at",
          "updated_by"
        ],
        "properties": {
          "webhook_id": {
            "$ref": "#/components/schemas/Id"
          },
          "url": {
            "type": "string"
          },
          "event_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/EventTypeName"
            }
          },
          "enabled": {
            "type": "boolean"
          },
          "secret_set": {
            "type": "boolean"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_by": {
            "type": "string"
          },
          "created": {
            "type": "boolean",
            "description": "PUT only: true when the webhook did not exist."
          }
        }
      },
      "PutWebhookRequest": {
        "type": "object",
        "required": [
          "url",
          "event_types"
        ],
        "properties": {
          "url": {
            "type": "string",
            "maxLength": 2048,
            "pattern": "^https?://[^\\s]+$",
            "description": "http:// or https://, at most 2048 characters."
          },
          "event_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/EventTypeName"
            },
            "minItems": 1,
            "maxItems": 50
          },
          "secret": {
            "type": "string",
            "minLength": 16,
            "maxLength": 512,
            "description": "HMAC-SHA256 signing secret: required on creation, omitted keeps the current one."
          },
          "enabled": {
            "type": "boolean",
            "default": true
          }
        },
        "additionalProperties": false
      },
      "WebhookDeleted": {
        "type": "object",
        "required": [
          "webhook_id",
          "deleted",
          "dead_deliveries"
        ],
        "properties": {
          "webhook_id": {
            "$ref": "#/components/schemas/Id"
          },
          "deleted": {
            "type": "boolean",
            "enum": [
              true
            ]
          },
          "dead_deliveries": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Pending deliveries dead-lettered by the deletion."
          }
        }
      },
      "WebhookDelivery": {
        "type": "object",
        "required": [
          "delivery_id",
          "event_id",
          "event_type",
          "status",
          "attempts",
          "last_status_code",
          "last_error",
          "next_attempt_at",
          "created_at",
          "delivered_at"
        ],
        "properties": {
          "delivery_id": {
            "type": "string",
            "pattern": "^dlv_[0-9]+$"
          },
          "event_id": {
            "type": "string",
            "pattern": "^evt_[0-9]+$"
          },
          "event_type": {
            "$ref": "#/components/schemas/EventTypeName"
          },
          "status": {
            "$ref": "#/components/schemas/DeliveryStatus"
          },
          "attempts": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "last_status_code": {
            "type": "integer",
            "format": "int64",
            "nullable": true
          },
          "last_error": {
            "type": "string",
            "nullable": true
          },
          "next_attempt_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "delivered_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          }
        }
      },
      "WebhookDeliveryList": {
        "type": "object",
        "description": "A page of deliveries, newest first.",
        "required": [
          "items",
          "next_cursor"
        ],
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/WebhookDelivery"
            }
          },
          "next_cursor": {
            "type": "string",
            "description": "Cursor of the next page; null on the last page.",
            "nullable": true
          }
        }
      },
      "KillSwitchState": {
        "type": "object",
        "description": "The kill switches as recorded for one intent.",
        "properties": {
          "emergency_stop": {
            "type": "boolean"
          },
          "autonomy_enabled": {
            "type": "boolean"
          },
          "execution_enabled": {
            "type": "boolean"
          },
          "action_type_disabled": {
            "type": "boolean"
          }
        }
      },
      "CounterfactualItem": {
        "type": "object",
        "required": [
          "change",
          "would_result",
          "explanation",
          "tenant_can_change",
          "unchecked_steps"
        ],
        "properties": {
          "change": {
            "type": "object",
            "required": [
              "input",
              "recorded",
              "counterfactual"
            ],
            "properties": {
              "input": {
                "type": "string"
              },
              "recorded": {
                "description": "The recorded value."
              },
              "counterfactual": {
                "description": "The changed value."
              }
            }
          },
          "would_result": {
            "type": "string",
            "enum": [
              "AUTO_EXECUTED",
              "REQUIRE_APPROVAL",
              "BLOCKED",
              "EXECUTED",
              "NOT_DETERMINED"
            ]
          },
          "explanation": {
            "type": "string"
          },
          "tenant_can_change": {
            "type": "boolean"
          },
          "unchecked_steps": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Gate steps never reached, so not checked."
          }
        }
      },
      "Explanation": {
        "type": "object",
        "description": "\"Why did the system do this?\" for one intent (SPEC §8), read back from what was recorded.",
        "required": [
          "action_intent_id",
          "account_id",
          "action_type",
          "status",
          "why",
          "what_it_knew",
          "which_policy",
          "outcome",
          "timeline",
          "counterfactual"
        ],
        "properties": {
          "action_intent_id": {
            "$ref": "#/components/schemas/Id"
          },
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "action_type": {
            "$ref": "#/components/schemas/ActionTypeName"
          },
          "status": {
            "$ref": "#/components/schemas/IntentStatus"
          },
          "why": {
            "type": "object",
            "required": [
              "path",
              "path_explanation",
              "gated",
              "gate",
              "edited_fields"
            ],
            "properties": {
              "path": {
                "type": "string",
                "enum": [
                  "POLICY_AUTO_EXECUTED",
                  "HUMAN_APPROVED",
                  "HUMAN_EDITED",
                  "FAILED",
                  "CANCELLED",
                  "EXPIRED",
                  "REJECTED",
                  "BLOCKED",
                  "BUDGET_DENIED",
                  "REQUIRES_APPROVAL",
                  "NOT_GATED"
                ]
              },
              "path_explanation": {
                "type": "string"
              },
              "gated": {
                "type": "boolean"
              },
              "gate": {
                "type": "object",
                "required": [
                  "result",
                  "reason",
                  "explanation",
                  "decided_at"
                ],
                "properties": {
                  "result": {
                    "$ref": "#/components/schemas/GateResult"
                  },
                  "reason": {
                    "type": "string"
                  },
                  "explanation": {
                    "type": "string"
                  },
                  "policy_decision": {
                    "type": "string",
                    "nullable": true
                  },
                  "decided_at": {
                    "$ref": "#/components/schemas/Timestamp"
                  },
                  "evaluations": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                  }
                },
                "nullable": true
              },
              "execution_status": {
                "type": "string",
                "enum": [
                  "PENDING",
                  "RUNNING",
                  "SUCCEEDED",
                  "FAILED",
                  "CANCELLED",
                  "EXPIRED",
                  null
                ],
                "nullable": true
              },
              "approval_source": {
                "type": "string",
                "nullable": true,
                "enum": [
                  "POLICY",
                  "HUMAN",
                  null
                ]
              },
              "approved_by": {
                "type": "string",
                "nullable": true
              },
              "approved_at": {
                "type": "string",
                "format": "date-time",
                "nullable": true
              },
              "edited_fields": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "comment": {
                "type": "string",
                "nullable": true
              },
              "rejected_by": {
                "type": "string",
                "nullable": true
              },
              "rejection_reason": {
                "type": "string",
                "nullable": true
              },
              "rejected_at": {
                "type": "string",
                "format": "date-time",
                "nullable": true
              },
              "cancellation": {
                "type": "object",
                "required": [
                  "reason",
                  "at"
                ],
                "properties": {
                  "reason": {
                    "type": "string",
                    "enum": [
                      "KILL_SWITCH",
                      "CANCELLED_BY_USER"
                    ]
                  },
                  "explanation": {
                    "type": "string",
                    "nullable": true
                  },
                  "by": {
                    "type": "string",
                    "nullable": true
                  },
                  "at": {
                    "$ref": "#/components/schemas/Timestamp"
                  },
                  "kill_switches": {
                    "$ref": "#/components/schemas/KillSwitchState"
                  }
                },
                "nullable": true
              },
              "expiry": {
                "type": "object",
                "required": [
                  "expires_at",
                  "expired_at",
                  "previous_status"
                ],
                "properties": {
                  "expires_at": {
                    "type": "string",
                    "format": "date-time",
                    "nullable": true
                  },
                  "expired_at": {
                    "type": "string",
                    "format": "date-time",
                    "nullable": true
                  },
                  "previous_status": {
                    "type": "string",
                    "nullable": true
                  }
                },
                "nullable": true
              }
            }
          },
          "what_it_knew": {
            "type": "object",
            "required": [
              "evaluated_at",
              "action_type",
              "registry_version",
              "parameters",
              "edits",
              "target"
            ],
            "properties": {
              "evaluated_at": {
                "type": "string",
                "format": "date-time",
                "nullable": true
              },
              "intent_status_at_evaluation": {
                "type": "string",
                "nullable": true
              },
              "action_type": {
                "$ref": "#/components/schemas/ActionTypeName"
              },
              "registry_version": {
                "type": "integer",
                "format": "int64"
              },
              "confidence_score": {
                "type": "number",
                "format": "double",
                "nullable": true
              },
              "risk_level": {
                "type": "string",
                "nullable": true,
                "enum": [
                  "MINIMAL",
                  "LOW",
                  "MEDIUM",
                  "HIGH",
                  null
                ]
              },
              "registry_risk_class": {
                "type": "string",
                "nullable": true
              },
              "effective_risk": {
                "type": "string",
                "nullable": true
              },
              "external_contact": {
                "type": "boolean",
                "nullable": true
              },
              "confidence_threshold": {
                "type": "object",
                "properties": {
                  "tenant": {
                    "type": "number",
                    "format": "double",
                    "nullable": true
                  },
                  "registry_min": {
                    "type": "number",
                    "format": "double",
                    "nullable": true
                  },
                  "effective": {
                    "type": "number",
                    "format": "double",
                    "nullable": true
                  }
                },
                "nullable": true
              },
              "mode": {
                "type": "object",
                "properties": {
                  "mode": {
                    "type": "string",
                    "nullable": true
                  },
                  "source": {
                    "type": "string",
                    "nullable": true
                  }
                },
                "nullable": true
              },
              "allowlist": {
                "nullable": true,
                "description": "The allowlist check as recorded."
              },
              "budget": {
                "nullable": true,
                "description": "The budget check as recorded."
              },
              "kill_switches": {
                "nullable": true,
                "description": "The kill switches as recorded."
              },
              "recorded_steps": {
                "type": "array",
                "items": {
                  "type": "string"
                },
                "description": "Gate steps whose inputs were recorded."
              },
              "parameters": {
                "type": "object",
                "additionalProperties": true,
                "description": "As approved / executed."
              },
              "original_parameters": {
                "type": "object",
                "additionalProperties": true,
                "nullable": true,
                "description": "As proposed; null unless edited."
              },
              "edits": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": [
                    "field",
                    "old",
                    "new"
                  ],
                  "properties": {
                    "field": {
                      "type": "string"
                    },
                    "old": {},
                    "new": {}
                  }
                }
              },
              "target": {
                "type": "object",
                "additionalProperties": true
              }
            }
          },
          "which_policy": {
            "type": "object",
            "required": [
              "policy_version",
              "policy_clause",
              "policy_decision"
            ],
            "properties": {
              "policy_version": {
                "type": "string",
                "nullable": true
              },
              "policy_clause": {
                "type": "string",
                "nullable": true
              },
              "policy_decision": {
                "type": "string",
                "nullable": true
              }
            },
            "nullable": true
          },
          "outcome": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Outcome"
              },
              {
                "$ref": "#/components/schemas/Null"
              }
            ],
            "description": "The first execution's outcome."
          },
          "timeline": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "seq",
                "event_type",
                "timestamp",
                "actor",
                "data"
              ],
              "properties": {
                "seq": {
                  "type": "integer",
                  "format": "int64"
                },
                "event_type": {
                  "$ref": "#/components/schemas/LedgerEventType"
                },
                "timestamp": {
                  "$ref": "#/components/schemas/Timestamp"
                },
                "actor": {
                  "type": "string"
                },
                "data": {
                  "type": "object",
                  "additionalProperties": true
                }
              }
            },
            "description": "Every ledger entry of the intent, by seq."
          },
          "counterfactual": {
            "type": "object",
            "required": [
              "available",
              "recorded_result",
              "replayed_result",
              "replay_matches"
            ],
            "properties": {
              "available": {
                "type": "boolean"
              },
              "explanation": {
                "type": "string"
              },
              "recorded_result": {
                "type": "string",
                "nullable": true,
                "enum": [
                  "AUTO_EXECUTED",
                  "REQUIRE_APPROVAL",
                  "BLOCKED",
                  null
                ]
              },
              "replayed_result": {
                "type": "string",
                "nullable": true
              },
              "replay_matches": {
                "type": "boolean",
                "nullable": true
              },
              "items": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/CounterfactualItem"
                }
              }
            }
          }
        }
      },
      "Digest": {
        "type": "object",
        "description": "The daily digest of one account (SPEC §8).",
        "required": [
          "account_id",
          "date",
          "timezone",
          "from",
          "to",
          "autopilot",
          "awaiting_approval",
          "blocked",
          "failures",
          "budget",
          "kill_switches",
          "counts",
          "truncated"
        ],
        "properties": {
          "account_id": {
            "$ref": "#/components/schemas/Id"
          },
          "date": {
            "$ref": "#/components/schemas/Date"
          },
          "timezone": {
            "type": "string",
            "description": "The tenant's digest time zone."
          },
          "from": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              }
            ],
            "description": "The day's first instant (UTC)."
          },
          "to": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              }
            ],
            "description": "The next day's first instant (exclusive)."
          },
          "autopilot": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "action_intent_id",
                "action_type",
                "status",
                "taxonomy",
                "completed_at",
                "refs",
                "error_code"
              ],
              "properties": {
                "action_intent_id": {
                  "$ref": "#/components/schemas/Id"
                },
                "action_type": {
                  "$ref": "#/components/schemas/ActionTypeName"
                },
                "status": {
                  "$ref": "#/components/schemas/OutcomeStatus"
                },
                "taxonomy": {
                  "$ref": "#/components/schemas/Taxonomy"
                },
                "completed_at": {
                  "$ref": "#/components/schemas/Timestamp"
                },
                "refs": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/ExternalObjectRef"
                  }
                },
                "error_code": {
                  "type": "string",
                  "nullable": true
                }
              }
            },
            "description": "Executions auto-approved by the gate that finished that day."
          },
          "awaiting_approval": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "action_intent_id",
                "action_type",
                "created_at",
                "expires_at",
                "confidence_score",
                "reason",
                "explanation"
              ],
              "properties": {
                "action_intent_id": {
                  "$ref": "#/components/schemas/Id"
                },
                "action_type": {
                  "$ref": "#/components/schemas/ActionTypeName"
                },
                "created_at": {
                  "$ref": "#/components/schemas/Timestamp"
                },
                "expires_at": {
                  "type": "string",
                  "format": "date-time",
                  "nullable": true
                },
                "confidence_score": {
                  "type": "number",
                  "format": "double",
                  "nullable": true
                },
                "reason": {
                  "type": "string",
                  "nullable": true
                },
                "explanation": {
                  "type": "string",
                  "nullable": true
                }
              }
            },
            "description": "Intents awaiting approval now, newest first."
          },
          "blocked": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "action_intent_id",
                "action_type",
                "at",
                "reason",
                "explanation"
              ],
              "properties": {
                "action_intent_id": {
                  "$ref": "#/components/schemas/Id"
                },
                "action_type": {
                  "$ref": "#/components/schemas/ActionTypeName"
                },
                "at": {
                  "$ref": "#/components/schemas/Timestamp"
                },
                "reason": {
                  "type": "string",
                  "nullable": true
                },
                "explanation": {
                  "type": "string",
                  "nullable": true
                }
              }
            }
          },
          "failures": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "action_intent_id",
                "action_type",
                "approval_source",
                "auto_executed",
                "completed_at",
                "error_code",
                "error_class",
                "error_message"
              ],
              "properties": {
                "action_intent_id": {
                  "$ref": "#/components/schemas/Id"
                },
                "action_type": {
                  "$ref": "#/components/schemas/ActionTypeName"
                },
                "approval_source": {
                  "type": "string",
                  "nullable": true,
                  "enum": [
                    "POLICY",
                    "HUMAN",
                    null
                  ]
                },
                "auto_executed": {
                  "type": "boolean"
                },
                "completed_at": {
                  "$ref": "#/components/schemas/Timestamp"
                },
                "error_code": {
                  "type": "string",
                  "nullable": true
                },
                "error_class": {
                  "type": "string",
                  "nullable": true,
                  "enum": [
                    "AUTH",
                    "RATE_LIMIT",
                    "VALIDATION",
                    "DOWNSTREAM",
                    "TIMEOUT",
                    "UNKNOWN",
                    null
                  ]
                },
                "error_message": {
                  "type": "string",
                  "nullable": true
                }
              }
            }
          },
          "budget": {
            "type": "object",
            "required": [
              "configured",
              "day",
              "limit",
              "used",
              "remaining",
              "per_action_type"
            ],
            "properties": {
              "configured": {
                "type": "boolean"
              },
              "day": {
                "$ref": "#/components/schemas/Date"
              },
              "limit": {
                "type": "integer",
                "format": "int64",
                "nullable": true
              },
              "used": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "remaining": {
                "type": "integer",
                "format": "int64",
                "nullable": true
              },
              "per_action_type": {
                "type": "object",
                "additionalProperties": {
                  "type": "object",
                  "properties": {
                    "limit": {
                      "type": "integer",
                      "format": "int64",
                      "nullable": true
                    },
                    "used": {
                      "type": "integer",
                      "format": "int64",
                      "minimum": 0
                    }
                  }
                }
              }
            }
          },
          "kill_switches": {
            "type": "object",
            "required": [
              "emergency_stop",
              "autonomy_enabled",
              "execution_enabled",
              "disabled_action_types"
            ],
            "properties": {
              "emergency_stop": {
                "type": "boolean"
              },
              "autonomy_enabled": {
                "type": "boolean"
              },
              "execution_enabled": {
                "type": "boolean"
              },
              "disabled_action_types": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ActionTypeName"
                }
              }
            }
          },
          "counts": {
            "type": "object",
            "required": [
              "auto_executed",
              "awaiting_approval",
              "blocked",
              "cancelled",
              "expired",
              "failed",
              "rejected",
              "succeeded"
            ],
            "properties": {
              "auto_executed": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "awaiting_approval": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "blocked": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "cancelled": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "expired": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "failed": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "rejected": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              },
              "succeeded": {
                "type": "integer",
                "format": "int64",
                "minimum": 0
              }
            }
          },
          "truncated": {
            "type": "boolean",
            "description": "True when a list was cut at 100 items."
          }
        }
      },
      "InsightTally": {
        "type": "object",
        "required": [
          "proposed",
          "auto_executed",
          "approved_unchanged",
          "edited",
          "rejected",
          "failed",
          "approval_routed",
          "would_auto_execute"
        ],
        "properties": {
          "proposed": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "auto_executed": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "approved_unchanged": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "edited": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "rejected": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "failed": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "approval_routed": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          },
          "would_auto_execute": {
            "type": "integer",
            "format": "int64",
            "minimum": 0
          }
        }
      },
      "InsightItem": {
        "allOf": [
          {
            "$ref": "#/components/schemas/InsightTally"
          },
          {
            "type": "object",
            "required": [
              "action_type",
              "account_id",
              "recommendation"
            ],
            "properties": {
              "action_type": {
                "$ref": "#/components/schemas/ActionTypeName"
              },
              "account_id": {
                "$ref": "#/components/schemas/Id"
              },
              "recommendation": {
                "type": "object",
                "required": [
                  "code",
                  "text"
                ],
                "properties": {
                  "code": {
                    "type": "string",
                    "enum": [
                      "CONSIDER_AUTO_EXECUTE",
                      "REVIEW_AUTONOMY"
                    ]
                  },
                  "text": {
                    "type": "string"
                  }
                },
                "nullable": true
              }
            }
          }
        ]
      },
      "Insights": {
        "type": "object",
        "description": "Shadow evidence for widening autonomy (SPEC §8).",
        "required": [
          "days",
          "from",
          "to",
          "action_type",
          "items",
          "totals"
        ],
        "properties": {
          "days": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 90
          },
          "from": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "to": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "action_type": {
            "type": "string",
            "nullable": true
          },
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/InsightItem"
            },
            "description": "Per (action_type, account_id)."
          },
          "totals": {
            "$ref": "#/components/schemas/InsightTally"
          }
        }
      },
      "Health": {
        "type": "object",
        "required": [
          "status"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok"
            ]
          }
        }
      },
      "Readiness": {
        "type": "object",
        "required": [
          "status",
          "store",
          "schema_version"
        ],
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ready"
            ]
          },
          "store": {
            "type": "string",
            "example": "sqlite"
          },
          "schema_version": {
            "type": "integer",
            "format": "int64"
          }
        }
      }
    }
  }
}
)OPENAPI";

}  // namespace

void RegisterOpenApiRoutes(Router& r, const ApiDeps& d) {
  Metrics* metrics = d.metrics;
  r.Add("GET", std::string(kPattern), [metrics](const HttpRequest&, const PathParams&) {
    const auto start = std::chrono::steady_clock::now();
    HttpResponse resp;
    resp.status = 200;
    resp.content_type = "application/json";
    resp.body = std::string(kOpenApiDocument);
    resp.headers.emplace_back("Cache-Control", std::string(kCacheControl));
    if (metrics) {
      metrics->RecordRequest(
          "GET", std::string(kPattern), resp.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return resp;
  });
}

}  // namespace steward::api
