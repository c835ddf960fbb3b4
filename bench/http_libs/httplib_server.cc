// Bench server (b): cpp-httplib (Debian libcpp-httplib-dev) answering GET /x with the same
// body. Tuned for a fair comparison: TCP_NODELAY on, keep-alive not capped at 5 requests per
// connection, and a thread pool of THREADS (cpp-httplib holds one thread per open connection).
// Usage: http_bench_httplib PORT [THREADS]; stops on SIGINT/SIGTERM.
#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]);
    return 2;
  }
  int port = std::atoi(argv[1]);
  size_t threads = argc > 2 ? static_cast<size_t>(std::atoi(argv[2])) : 64;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(75);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"ok":true,"service":"steward"})", "application/json");
  });
  std::thread listener([&] { server.listen("127.0.0.1", port); });
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop();
  listener.join();
  return 0;
}
