//! The OpenAPI description of the API, served at `/api/v1/openapi.json`. Command and event
//! bodies are the rules engine's types in serde's external tagging (`{"TransferToTeam":
//! {"session": 4, "team": 2}}`); their variants are listed by name here and documented in
//! `tandem_core::domain`.
use axum::Json;
use serde_json::{Value, json};

fn error_responses() -> Value {
    json!({
        "400": {"description": "Malformed request body or query", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "401": {"description": "No valid sign-in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "403": {"description": "The rules refuse it; `rule` names the product rule", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "404": {"description": "Names something unknown", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "413": {"description": "Body larger than 64 KiB"},
        "422": {"description": "Malformed input (empty name, overlong text, bad e-mail address)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    })
}

fn op(summary: &str, auth: bool, body: Option<&str>) -> Value {
    let mut o = json!({ "summary": summary, "responses": error_responses() });
    o["responses"]["200"] = json!({"description": "Done", "content": {"application/json": {"schema": {"type": "object"}}}});
    if auth {
        o["security"] = json!([{"bearer": []}]);
    }
    if let Some(schema) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    o
}

/// `GET /api/v1/openapi.json`
pub async fn document() -> Json<Value> {
    let commands = [
        "SetLoggedIn",
        "SetExtendedAvailability",
        "StartJumpSession",
        "AcceptFromQueue",
        "SendChat",
        "SetChat",
        "SetChatPinned",
        "StartScreen",
        "StopScreen",
        "StartShell",
        "StopShell",
        "ViewSystemInfo",
        "UpgradeToFullClient",
        "Elevate",
        "AnswerPrompt",
        "InviteTechnician",
        "InviteAnyRepresentative",
        "RequestHelp",
        "InviteExternal",
        "CancelInvitation",
        "AcceptInvitation",
        "DeclineInvitation",
        "TransferToTeam",
        "TransferToTechnician",
        "RemoveMember",
        "EndSession",
        "HoldSession",
        "LeaveSession",
        "DeploySupportButton",
        "RemoveSupportButton",
        "PinJumpClient",
        "UnpinJumpClient",
        "Admin",
    ];
    Json(json!({
        "openapi": "3.1.0",
        "info": {"title": "Tandem appliance", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Every command is checked by the rules engine (tandem_core::domain); a refusal is a 403 naming the product rule."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from login, customer join or external redeem; WebSocket clients may pass it as access_token."}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string", "enum": ["denied", "not_found", "invalid", "unauthorized", "rate_limited", "bad_request", "too_large", "gone", "already_used", "unavailable", "busy", "internal"]},
                    "message": {"type": "string"}, "rule": {"type": "string", "description": "Product rule id, e.g. T3"}}},
                "Login": {"type": "object", "required": ["email", "password"], "properties": {"email": {"type": "string"}, "password": {"type": "string"}}},
                "Command": {"type": "object", "description": "One command, externally tagged: exactly one of these keys", "minProperties": 1, "maxProperties": 1,
                            "propertyNames": {"enum": commands.to_vec()}},
                "Elevate": {"type": "object", "required": ["method"], "properties": {"method": {"enum": ["PromptCustomer", "ProvideCredentials"]}, "username": {"type": "string"}, "password": {"type": "string"}}},
                "SessionKey": {"type": "object", "properties": {"queue": {"type": "object", "description": "{\"Team\": id} or {\"Personal\": id}"}}},
                "NewTechnician": {"type": "object", "required": ["name", "email", "role", "password"], "properties": {"name": {"type": "string"}, "email": {"type": "string"}, "role": {}, "password": {"type": "string", "minLength": 10}}},
                "Join": {"type": "object", "required": ["key", "customer"], "properties": {"key": {"type": "string"}, "customer": {"type": "object"}}},
                "Button": {"type": "object", "required": ["button", "secret", "customer"], "properties": {"button": {"type": "integer"}, "secret": {"type": "string"}, "customer": {"type": "object"}}},
                "Link": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}
            }
        },
        "paths": {
            "/api/v1/info": {"get": op("The appliance's version, public address and certificate fingerprint", false, None)},
            "/api/v1/login": {"post": op("Sign in; returns a bearer token. An account with two-step sign-in on sends the code of its authenticator app (or a recovery code) as `code`; without it the answer is 401 `second_factor_required`; an account whose group requires two-step sign-in and has not set it up is answered 403 `second_factor_setup_required`. Attempts are rate-limited per source address, per network, per account name from that address and per account name from every address it has not signed in from (429 with Retry-After, the same for unknown addresses); nothing locks an account out of the addresses it uses.", false, Some("Login"))},
            "/api/v1/logout": {"post": op("Sign out: the token stops working", true, None)},
            "/api/v1/account/second-factor": {"get": op("Whether two-step sign-in is on, being set up, and required by one of the caller's groups", true, None),
                                               "post": op("Set up two-step sign-in: a new key (base32) and its otpauth address, for an authenticator app; on once confirmed", true, None)},
            "/api/v1/account/second-factor/confirm": {"post": op("Confirm the set-up with a first code {\"code\"}: sign-ins ask for a code from now on; returns ten one-time recovery codes, shown this once", true, None)},
            "/api/v1/account/second-factor/off": {"post": op("Turn two-step sign-in off with a code {\"code\"}; refused while a group requires it", true, None)},
            "/api/v1/snapshot": {"get": op("Everything the caller sees now, and the number of the last event included", true, None)},
            "/api/v1/events": {"get": {"summary": "WebSocket of numbered events. ?since=N resumes after event N (exactly the missed events), or a snapshot comes first when N is unknown or too old.", "security": [{"bearer": []}],
                                       "parameters": [{"name": "since", "in": "query", "schema": {"type": "integer"}}, {"name": "access_token", "in": "query", "schema": {"type": "string"}}],
                                       "responses": {"101": {"description": "Switching to the WebSocket protocol"}}}},
            "/api/v1/commands": {"post": op("Any command of the rules engine, as the caller; for InviteExternal the response carries the one-time link", true, Some("Command"))},
            "/api/v1/sessions/{session}/actions": {"get": op("The flyout menu: every action, enabled or greyed with its reason, and its targets", true, None)},
            "/api/v1/sessions/{session}/elevate": {"post": op("Elevate the customer client (E3); Provide Credentials passes them to the client only", true, Some("Elevate"))},
            "/api/v1/sessions/{session}/screen": {"get": {"summary": "WebSocket of the session's screen: the customer client sends frames (binary, tandem_core::screen format: zstd tiles); viewers the rules allow receive them and send JSON text \"refresh\", {\"pointer\":{x,y,buttons}}, {\"key\":{keysym,down}}; pointer and keys pass only under control (A1)", "security": [{"bearer": []}], "responses": {"101": {"description": "Switching to the WebSocket protocol"}, "403": {"description": "The rules do not allow it now"}}}},
            "/api/v1/customer/jump-client": {"post": op("The customer client of the session a jump client was pinned from gets its agent's credential, once (J1); 410 afterwards", true, None)},
            "/api/v1/customer/support-button": {"post": op("The customer client of the session a support button was deployed from gets the button's secret, once (B1); 410 afterwards", true, None)},
            "/api/v1/jump/agent": {"get": {"summary": "WebSocket of a jump client's agent (J1): {\"kind\":\"session\",\"session\":N,\"token\":T} for each unattended session, {\"kind\":\"unpinned\"} at unpinning", "security": [{"bearer": []}], "responses": {"101": {"description": "Switching to the WebSocket protocol"}, "410": {"description": "Unpinned"}}}},
            "/api/v1/sessions/{session}/shell": {"get": {"summary": "WebSocket of the session's command shell: the customer client hosts it; technicians and external users the rules allow see and type into it (binary frames; text frames {\"resize\":{\"cols\":80,\"rows\":24}})", "security": [{"bearer": []}], "responses": {"101": {"description": "Switching to the WebSocket protocol"}, "403": {"description": "The rules do not allow it now"}}}},
            "/api/v1/sessions/{session}/system-info": {"get": op("The latest system information the customer client reported; allowed as the menu's System information is", true, None)},
            "/api/v1/customer/system-info": {"post": op("The customer client reports its computer's system information", true, None)},
            "/api/v1/session-keys": {"post": op("A single-use key that brings one customer into a queue", true, Some("SessionKey"))},
            "/api/v1/admin/technicians": {"post": op("Create an account with its password", true, Some("NewTechnician"))},
            "/api/v1/customer/join": {"post": op("A customer joins with a session key; returns the customer's token", false, Some("Join"))},
            "/api/v1/customer/button": {"post": op("A customer starts a session with a support button and its secret (B1); a wrong secret answers 404 as an unknown button; rate-limited per source address (429)", false, Some("Button"))},
            "/api/v1/external/invitation": {"post": op("What a one-time link invites to, before joining", false, Some("Link"))},
            "/api/v1/external/redeem": {"post": op("Redeem a one-time link (works once); returns the external user's token", false, Some("Link"))},
            "/join/{token}": {"get": {"summary": "The web access console's page for a one-time link (X4)", "responses": {"200": {"description": "HTML"}}}}
        }
    }))
}
