#pragma once
// The `steward` command line (SPEC §12): serve, token, migrate and the client commands.
// Exit codes: 0 ok, 1 failure reported by the server (or a runtime failure), 2 usage error.

namespace steward::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int Main(int argc, char** argv);

// `steward serve` with its parsed configuration; returns when the server stops (SIGTERM/SIGINT).
struct ServerConfig;
int Serve(ServerConfig config);

}  // namespace steward::cli
