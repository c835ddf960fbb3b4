// Bench server (a): Steward's HttpServer (Boost.Beast) answering GET /x with a tiny JSON body.
// Usage: http_bench_beast PORT [IO_THREADS] [HANDLER_THREADS]; stops on SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "api/errors.h"
#include "api/http_server.h"
#include "api/router.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [IO_THREADS] [HANDLER_THREADS]\n", argv[0]);
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  steward::api::Router router;
  router.Add("GET", "/x", [](const steward::api::HttpRequest&, const steward::api::PathParams&) {
    return steward::api::JsonResponse(200, R"({"ok":true,"service":"steward"})");
  });
  steward::api::HttpServer::Options options;
  options.port = std::atoi(argv[1]);
  if (argc > 2) options.io_threads = std::atoi(argv[2]);
  if (argc > 3) options.handler_threads = std::atoi(argv[3]);
  options.access_log = false;
  steward::api::HttpServer server(&router, options);
  steward::Status st = server.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("listening on %d\n", server.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  server.Stop();
  return 0;
}
