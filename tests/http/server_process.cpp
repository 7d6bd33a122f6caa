// The api_server child process and the curl client of the HTTP tests (server_process.hpp).
#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace http_test {

namespace {

/// Runs `argv` and returns what it wrote on stdout (stderr is left to the test's log).
/// Throws when it cannot be started or does not exit 0.
std::string run_capture(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(argv[0] + " failed (status " + std::to_string(status) + ")");
  return text;
}

/// Splits curl's `-D -` header dump followed by the body (`-o -`): the last header block
/// (after 100-continue and the like) and what follows it.
Reply parse_dump(const std::string& text) {
  Reply r;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t end = text.find("\r\n\r\n", pos);
    if (end == std::string::npos || text.compare(pos, 5, "HTTP/") != 0) break;
    const std::string block = text.substr(pos, end - pos);
    r.headers.clear();
    std::istringstream lines(block);
    std::string line;
    std::getline(lines, line);
    const std::size_t sp = line.find(' ');
    r.status = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      r.headers[name] = line.substr(v);
    }
    pos = end + 4;
    if (r.status != 100) break;
  }
  r.body = text.substr(pos);
  return r;
}

Reply run_curl(const Server& server, const std::string& method, const std::string& target,
               std::vector<std::string> data_args) {
  std::vector<std::string> argv{"curl", "-sS", "--max-time", "30", "-D", "-", "-o", "-", "-X", method};
  for (auto& a : data_args) argv.push_back(std::move(a));
  argv.push_back(server.base() + target);
  return parse_dump(run_capture(argv));
}

}  // namespace

Server::Server(const std::string& url, int articles) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const std::string seed = std::to_string(articles);
  std::vector<std::string> argv{AORM_API_SERVER, "--db", url, "--port", "0", "--seed", seed, "--count-queries"};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error(std::string("cannot start api_server: ") + std::strerror(rc));
  }
  stdout_fd_ = out[0];
  std::string printed;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;  // the server exited
    printed.append(buf, static_cast<std::size_t>(n));
    const std::string marker = "listening on http://127.0.0.1:";
    if (auto at = printed.find(marker); at != std::string::npos && printed.find('\n', at) != std::string::npos) {
      port_ = static_cast<std::uint16_t>(std::stoi(printed.substr(at + marker.size())));
      return;
    }
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  ::close(stdout_fd_);
  throw std::runtime_error("api_server did not start listening; it printed: " + printed);
}

Server::~Server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) ::usleep(50000);
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

bool Server::alive() {
  int status = 0;
  return ::waitpid(pid_, &status, WNOHANG) == 0;
}

int Reply::queries() const {
  auto it = headers.find("x-aorm-queries");
  return it == headers.end() ? -1 : std::stoi(it->second);
}

Reply curl(const Server& server, const std::string& method, const std::string& target, const std::string& body) {
  if (body.empty()) return run_curl(server, method, target, {});
  return run_curl(server, method, target, {"-H", "Content-Type: application/json", "--data-binary", body});
}

Reply curl_file(const Server& server, const std::string& method, const std::string& target, const std::string& path) {
  return run_curl(server, method, target, {"-H", "Content-Type: application/json", "--data-binary", "@" + path});
}

std::vector<int> curl_parallel(const Server& server, const std::vector<std::string>& targets, int at_once) {
  std::vector<std::string> argv{"curl", "-sS", "--no-progress-meter", "--max-time", "60", "--parallel", "--parallel-immediate",
                                "--parallel-max", std::to_string(at_once)};
  for (const auto& t : targets) {
    argv.push_back("-o");
    argv.push_back("/dev/null");
    argv.push_back("-w");
    argv.push_back("%{url} %{http_code}\\n");
    argv.push_back(server.base() + t);
  }
  // --parallel finishes transfers in any order: match each line to its URL.
  std::istringstream lines(run_capture(argv));
  std::map<std::string, std::vector<int>> by_url;
  std::string url;
  int code = 0;
  while (lines >> url >> code) by_url[url].push_back(code);
  std::vector<int> out;
  for (const auto& t : targets) {
    auto& codes = by_url[server.base() + t];
    if (codes.empty()) {
      out.push_back(0);
    } else {
      out.push_back(codes.back());
      codes.pop_back();
    }
  }
  return out;
}

}  // namespace http_test
