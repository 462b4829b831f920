// One CRNP registration exchange (protocol section 2) as a self-owning Asio operation:
// resolve -> connect (bound to the source address) -> write one document -> read to EOF ->
// parse one SC_REPLY. Every step runs under a deadline; the handler is posted exactly once.
#include "crnp/registration_client.hpp"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <vector>

#include "crnp/address_filter.hpp"
#include "crnp/codec.hpp"
#include "crnp/structured_log.hpp"

namespace crnp {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string millis(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

std::string describeEndpoint(const tcp::endpoint& endpoint) {
  const auto a = endpoint.address();
  const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

/// Transport errors after the connection was established.
RegistrationOutcome classifyTransportError(const error_code& ec) {
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::connection_aborted || ec == asio::error::eof) {
    return RegistrationOutcome::ConnectionReset;
  }
  return RegistrationOutcome::NetworkError;
}

class RegistrationOperation : public std::enable_shared_from_this<RegistrationOperation> {
 public:
  RegistrationOperation(asio::any_io_executor handlerExecutor, ServerAddress server,
                        std::string request, RegistrationClientOptions options,
                        RegistrationHandler handler)
      : handlerExecutor_(handlerExecutor),
        strand_(asio::make_strand(handlerExecutor)),
        resolver_(strand_),
        socket_(strand_),
        timer_(strand_),
        server_(std::move(server)),
        request_(std::move(request)),
        options_(std::move(options)),
        handler_(std::move(handler)) {
    result_.server = server_.toString();
    if (options_.localAddress) options_.localAddress = normalize(*options_.localAddress);
  }

  void start() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->resolve(); });
  }

 private:
  enum class Phase { Resolving, Connecting, Writing, Reading };

  void resolve() {
    enterPhase(Phase::Resolving, options_.connectTimeout);
    resolver_.async_resolve(
        server_.host, std::to_string(server_.port), tcp::resolver::numeric_service,
        [self = shared_from_this()](const error_code& ec, tcp::resolver::results_type results) {
          self->onResolved(ec, std::move(results));
        });
  }

  void onResolved(const error_code& ec, const tcp::resolver::results_type& results) {
    if (done_) return;
    if (ec) {
      return finish(RegistrationOutcome::ResolveFailed,
                    "resolving " + server_.host + ": " + ec.message());
    }
    for (const auto& entry : results) {
      const tcp::endpoint endpoint = entry.endpoint();
      // A source address only works with destinations of its own family.
      if (options_.localAddress && options_.localAddress->is_v4() != endpoint.address().is_v4()) {
        continue;
      }
      endpoints_.push_back(endpoint);
    }
    if (endpoints_.empty()) {
      return finish(RegistrationOutcome::NetworkError,
                    server_.host + " has no address of the family of local address " +
                        options_.localAddress->to_string());
    }
    enterPhase(Phase::Connecting, options_.connectTimeout);
    connectNext();
  }

  /// Tries the resolved endpoints in turn; the connect deadline covers them all.
  void connectNext() {
    if (nextEndpoint_ == endpoints_.size()) return finishConnectFailure();
    const tcp::endpoint endpoint = endpoints_[nextEndpoint_++];
    error_code ec;
    socket_.close(ec);
    socket_.open(endpoint.protocol(), ec);
    if (ec) return finish(RegistrationOutcome::NetworkError, "opening a socket: " + ec.message());
    if (options_.localAddress) {
      socket_.bind(tcp::endpoint(*options_.localAddress, 0), ec);
      if (ec) {
        return finish(
            RegistrationOutcome::NetworkError,
            "binding local address " + options_.localAddress->to_string() + ": " + ec.message());
      }
    }
    socket_.async_connect(endpoint,
                          [self = shared_from_this(), endpoint](const error_code& connectError) {
                            self->onConnected(connectError, endpoint);
                          });
  }

  void onConnected(const error_code& ec, const tcp::endpoint& endpoint) {
    if (done_) return;
    if (ec) {
      if (ec == asio::error::connection_refused) refused_ = true;
      lastConnectError_ = "connecting to " + describeEndpoint(endpoint) + ": " + ec.message();
      lastConnectCode_ = ec;
      return connectNext();
    }
    error_code localError;
    const tcp::endpoint local = socket_.local_endpoint(localError);
    if (!localError) result_.localAddress = normalize(local.address());
    enterPhase(Phase::Writing, options_.replyTimeout);
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](const error_code& writeError, std::size_t) {
                        self->onWritten(writeError);
                      });
  }

  void onWritten(const error_code& ec) {
    if (done_) return;
    if (ec) return finish(classifyTransportError(ec), "writing the registration: " + ec.message());
    // No half-close: the published sample client keeps both directions open, and servers
    // frame the request by its root element.
    enterPhase(Phase::Reading, options_.replyTimeout);
    readSome();
  }

  void readSome() {
    socket_.async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const error_code& ec, std::size_t n) { self->onRead(ec, n); });
  }

  void onRead(const error_code& ec, std::size_t bytes) {
    if (done_) return;
    received_.append(chunk_.data(), bytes);
    if (received_.size() > options_.limits.maxBytes) {
      return finish(RegistrationOutcome::MalformedReply,
                    "reply over " + std::to_string(options_.limits.maxBytes) + " bytes");
    }
    if (ec == asio::error::eof) return finishWithReply();
    if (ec) {
      // A server that closes with unread input resets the connection; a complete reply that
      // arrived before the reset still counts.
      if (!received_.empty() && parseReply(received_, options_.limits).ok()) {
        return finishWithReply();
      }
      return finish(classifyTransportError(ec), "reading the reply: " + ec.message());
    }
    readSome();
  }

  void finishWithReply() {
    if (received_.empty()) {
      return finish(RegistrationOutcome::ConnectionReset,
                    "server closed the connection without a reply");
    }
    auto reply = parseReply(received_, options_.limits);
    if (!reply) return finish(RegistrationOutcome::MalformedReply, reply.error().message);
    result_.reply = std::move(reply).value();
    finish(RegistrationOutcome::Replied, std::string(toString(result_.reply->code)));
  }

  void finishConnectFailure() {
    if (refused_) {
      return finish(RegistrationOutcome::ConnectionRefused, lastConnectError_);
    }
    const auto outcome = lastConnectCode_ == asio::error::timed_out
                             ? RegistrationOutcome::ConnectTimeout
                             : RegistrationOutcome::NetworkError;
    finish(outcome, lastConnectError_);
  }

  /// Starts a phase with its own deadline; a stale timer completion is told apart by its
  /// generation, since cancelling cannot recall a completion already queued.
  void enterPhase(Phase phase, std::chrono::milliseconds timeout) {
    phase_ = phase;
    const auto generation = ++timerGeneration_;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
      if (ec || self->done_ || generation != self->timerGeneration_) return;
      self->onDeadline();
    });
  }

  void onDeadline() {
    switch (phase_) {
      case Phase::Resolving:
        return finish(
            RegistrationOutcome::ResolveFailed,
            "no answer resolving " + server_.host + " within " + millis(options_.connectTimeout));
      case Phase::Connecting:
        return finish(
            RegistrationOutcome::ConnectTimeout,
            "no connection to " + result_.server + " within " + millis(options_.connectTimeout));
      case Phase::Writing:
        return finish(RegistrationOutcome::ReplyTimeout,
                      "registration not written within " + millis(options_.replyTimeout));
      case Phase::Reading:
        return finish(RegistrationOutcome::ReplyTimeout,
                      "no complete reply within " + millis(options_.replyTimeout) + " (" +
                          std::to_string(received_.size()) + " bytes received)");
    }
  }

  void finish(RegistrationOutcome outcome, std::string detail) {
    if (done_) return;
    done_ = true;
    error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    socket_.close(ignored);
    result_.outcome = outcome;
    result_.detail = std::move(detail);
    slog::debug(
        "upstream", "registration exchange ended",
        {{"server", result_.server}, {"outcome", toString(outcome)}, {"detail", result_.detail}});
    asio::post(handlerExecutor_,
               [handler = std::move(handler_), result = std::move(result_)]() mutable {
                 handler(std::move(result));
               });
  }

  asio::any_io_executor handlerExecutor_;
  asio::strand<asio::any_io_executor> strand_;  // every member below is used on it only
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  ServerAddress server_;
  std::string request_;
  RegistrationClientOptions options_;
  RegistrationHandler handler_;

  RegistrationResult result_;
  Phase phase_ = Phase::Resolving;
  std::uint64_t timerGeneration_ = 0;
  bool done_ = false;
  std::vector<tcp::endpoint> endpoints_;
  std::size_t nextEndpoint_ = 0;
  bool refused_ = false;
  error_code lastConnectCode_;
  std::string lastConnectError_;
  std::array<char, 4096> chunk_{};
  std::string received_;
};

}  // namespace

void asyncRegister(boost::asio::any_io_executor executor, const ServerAddress& server,
                   const Registration& registration, const RegistrationClientOptions& options,
                   RegistrationHandler handler) {
  auto operation = std::make_shared<RegistrationOperation>(
      std::move(executor), server, writeRegistration(registration), options, std::move(handler));
  operation->start();
}

}  // namespace crnp
