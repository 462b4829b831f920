// Delivery rate of the simulated cl_apid (events/second reaching callback receivers) to 1 and
// to 100 clients, next to a baseline measured in the same run: a bare Boost.Asio
// connect-write-close loop sending the same document to the same kind of receivers, one
// connection in flight per receiver like the server. Prints "ratio sim/baseline = X".
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "crnp/codec.hpp"
#include "crnp/sim/crnp_server.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

/// Counts events (connections read to EOF) across receivers; wakes a waiter at the target.
class EventCounter {
 public:
  void expect(std::uint64_t target) {
    std::lock_guard lock(mutex_);
    count_ = 0;
    target_ = target;
  }
  void add() {
    std::lock_guard lock(mutex_);
    if (++count_ == target_) reached_.notify_all();
  }
  bool wait(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    return reached_.wait_for(lock, timeout, [&] { return count_ >= target_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable reached_;
  std::uint64_t count_ = 0;
  std::uint64_t target_ = 0;
};

/// A raw callback port: accept, read to EOF, close, count.
class CountingReceiver {
 public:
  CountingReceiver(asio::io_context& io, EventCounter& counter)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), counter_(counter) {
    acceptor_.listen(asio::socket_base::max_listen_connections);
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  struct Connection {
    tcp::socket socket;
    std::array<char, 4096> buffer{};
  };
  void accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) return;
      read(std::make_shared<Connection>(Connection{std::move(socket)}));
      accept();
    });
  }
  void read(std::shared_ptr<Connection> connection) {
    connection->socket.async_read_some(asio::buffer(connection->buffer),
                                       [this, connection](error_code ec, std::size_t) {
                                         if (!ec) return read(connection);
                                         if (ec == asio::error::eof) counter_.add();
                                       });
  }
  tcp::acceptor acceptor_;
  EventCounter& counter_;
};

/// An io_context run by one thread of its own.
class Runner {
 public:
  Runner() : work_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~Runner() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

crnp::Event sampleEvent(int i) {
  crnp::Event event;
  event.eventClass = "EC_Cluster";
  event.subclass = "ESC_cluster_rg_state";
  event.vendor = "SUNW";
  event.publisher = "rgm";
  event.nvpairs = {{"rg_name", {"oracle-rg"}},
                   {"node_list", {"phys-node-1", "phys-node-2"}},
                   {"state_list", {i % 2 ? "ONLINE" : "OFFLINE", "OFFLINE"}}};
  return event;
}

int eventsPerClient(int clients) { return clients == 1 ? 2000 : 40; }

std::map<std::pair<std::string, int>, double> g_rates;  // (kind, clients) -> events/s

void registerClass(std::uint16_t serverPort, std::uint16_t callbackPort) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), serverPort});
  crnp::Registration registration;
  registration.port = callbackPort;
  registration.events = {{"EC_Cluster", "", {}}};
  asio::write(socket, asio::buffer(crnp::writeRegistration(registration)));
  std::string reply;
  error_code ec;
  asio::read(socket, asio::dynamic_buffer(reply), ec);
  if (reply.find("STATUS_CODE=\"OK\"") == std::string::npos) {
    throw std::runtime_error("registration refused: " + reply);
  }
}

void BM_SimDelivery(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const int perClient = eventsPerClient(clients);
  EventCounter counter;
  Runner receiverThread;
  Runner serverThread;
  std::vector<std::unique_ptr<CountingReceiver>> receivers;
  for (int i = 0; i < clients; ++i) {
    receivers.push_back(std::make_unique<CountingReceiver>(receiverThread.io(), counter));
  }
  crnp::sim::ServerConfig config;
  config.listen = {asio::ip::make_address("127.0.0.1"), 0};
  config.allowHosts = "127.0.0.1/32";
  crnp::sim::CrnpServer server(serverThread.io().get_executor(), config);
  if (server.start()) return state.SkipWithError("server did not start");
  for (const auto& receiver : receivers)
    registerClass(server.localEndpoint().port(), receiver->port());

  std::vector<crnp::Event> events;
  for (int i = 0; i < perClient; ++i) events.push_back(sampleEvent(i));
  double seconds = 0;
  for (auto _ : state) {
    counter.expect(static_cast<std::uint64_t>(clients) * perClient);
    const auto started = std::chrono::steady_clock::now();
    for (const auto& event : events) server.publish(event);
    if (!counter.wait(std::chrono::seconds(60))) return state.SkipWithError("events missing");
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  const double total = static_cast<double>(state.iterations()) * clients * perClient;
  state.counters["events_per_s"] = total / seconds;
  g_rates[{"sim", clients}] = total / seconds;
  server.stop();
}

/// connect, write the document, close; `remaining` times in a row.
class BaselineSender : public std::enable_shared_from_this<BaselineSender> {
 public:
  BaselineSender(asio::io_context& io, tcp::endpoint target, const std::string& document, int count)
      : io_(io), target_(target), document_(document), remaining_(count), socket_(io) {}
  void next() {
    if (remaining_-- == 0) return;
    socket_ = tcp::socket(io_);
    socket_.async_connect(target_, [self = shared_from_this()](error_code ec) {
      if (ec) return;
      asio::async_write(self->socket_, asio::buffer(self->document_),
                        [self](error_code, std::size_t) {
                          error_code ignored;
                          self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
                          self->socket_.close(ignored);
                          self->next();
                        });
    });
  }

 private:
  asio::io_context& io_;
  tcp::endpoint target_;
  const std::string& document_;
  int remaining_;
  tcp::socket socket_;
};

void BM_BaselineDelivery(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const int perClient = eventsPerClient(clients);
  EventCounter counter;
  Runner receiverThread;
  Runner senderThread;
  std::vector<std::unique_ptr<CountingReceiver>> receivers;
  for (int i = 0; i < clients; ++i) {
    receivers.push_back(std::make_unique<CountingReceiver>(receiverThread.io(), counter));
  }
  const std::string document = crnp::writeEvent(sampleEvent(0));
  double seconds = 0;
  for (auto _ : state) {
    counter.expect(static_cast<std::uint64_t>(clients) * perClient);
    const auto started = std::chrono::steady_clock::now();
    for (const auto& receiver : receivers) {
      auto sender = std::make_shared<BaselineSender>(
          senderThread.io(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), receiver->port()),
          document, perClient);
      asio::post(senderThread.io(), [sender] { sender->next(); });
    }
    if (!counter.wait(std::chrono::seconds(60))) return state.SkipWithError("events missing");
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  const double total = static_cast<double>(state.iterations()) * clients * perClient;
  state.counters["events_per_s"] = total / seconds;
  g_rates[{"baseline", clients}] = total / seconds;
}

BENCHMARK(BM_SimDelivery)
    ->Arg(1)
    ->Arg(100)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselineDelivery)
    ->Arg(1)
    ->Arg(100)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (int clients : {1, 100}) {
    const auto sim = g_rates.find({"sim", clients});
    const auto baseline = g_rates.find({"baseline", clients});
    if (sim == g_rates.end() || baseline == g_rates.end()) continue;
    std::printf(
        "%d client(s): sim %.0f events/s, baseline %.0f events/s, ratio sim/baseline = %.2f\n",
        clients, sim->second, baseline->second, sim->second / baseline->second);
  }
  return 0;
}
