#pragma once
// The client commands of `steward` (SPEC §12): each speaks to a running server through the
// HTTP API with `--url` (STEWARD_URL, default http://127.0.0.1:8080) and `--token`
// (STEWARD_TOKEN). `--json` prints the server's JSON answer unchanged for machines; without it
// a short human summary (or indented JSON) is printed. Exit codes: 0 when the server answered
// 2xx, 1 when it answered with an error or could not be reached (the error goes to stderr;
// with --json the error body also goes to stdout), 2 for a usage error.

namespace CLI {
class App;
}

namespace steward::cli {

// Adds the client subcommands to `app`; their callbacks write the exit code to `*exit_code`.
void AddClientCommands(CLI::App& app, int* exit_code);

}  // namespace steward::cli
