// crnp-bench-bare-ingest: the ingest baseline. A bare Boost.Asio loop that accepts a
// connection, reads it to EOF, closes it and counts it: the least a CRNP callback listener
// does (no admission, no parse, no publication). Prints {"listening":"IP:PORT"}; the stdin
// line `report` prints {"connections": n, "bytes": b}; `quit` or EOF stops it.
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/streambuf.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::atomic<std::uint64_t> connections{0};
std::atomic<std::uint64_t> bytesRead{0};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(tcp::socket socket) : socket_(std::move(socket)) {}

  void start() { readSome(); }

 private:
  void readSome() {
    socket_.async_read_some(asio::buffer(buffer_),
                            [self = shared_from_this()](boost::system::error_code ec,
                                                        std::size_t n) { self->onRead(ec, n); });
  }

  void onRead(boost::system::error_code ec, std::size_t n) {
    bytesRead += n;
    if (!ec) return readSome();
    // EOF (or an error): done with this delivery.
    boost::system::error_code ignored;
    socket_.close(ignored);
    ++connections;
  }

  tcp::socket socket_;
  std::array<char, 4096> buffer_{};
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Connection>(std::move(socket))->start();
    if (acceptor.is_open()) accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
  const int threads = argc > 2 ? std::stoi(argv[2]) : 2;
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address(host), 0));
  acceptor.listen(1024);
  accept(acceptor);
  std::printf("{\"listening\":\"%s:%u\"}\n", host.c_str(), acceptor.local_endpoint().port());
  std::fflush(stdout);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  std::string line;
  while (std::getline(std::cin, line) && line != "quit") {
    if (line == "report") {
      std::printf("{\"connections\":%llu,\"bytes\":%llu}\n",
                  static_cast<unsigned long long>(connections.load()),
                  static_cast<unsigned long long>(bytesRead.load()));
      std::fflush(stdout);
    }
  }
  io.stop();
  for (auto& thread : pool) thread.join();
  return 0;
}
