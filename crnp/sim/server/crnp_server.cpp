#include "crnp/sim/crnp_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "crnp/address_filter.hpp"
#include "crnp/endpoint.hpp"
#include "crnp_server_core.hpp"
#include "registration_session.hpp"
#include "request_processor.hpp"
#include "server_counters.hpp"

namespace crnp::sim {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

class CrnpServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, ServerConfig config)
      : executor_(std::move(executor)),
        config_(std::move(config)),
        faults_(std::make_shared<FaultInjector>()),
        counters_(std::make_shared<ServerCounters>()),
        sessions_(std::make_shared<SessionTracker>()),
        core_(std::make_shared<ServerCore>(executor_, config_, faults_, counters_)),
        acceptStrand_(asio::make_strand(executor_)),
        acceptor_(acceptStrand_),
        acceptRetry_(acceptStrand_) {}

  std::error_code start();
  void stop();
  tcp::endpoint localEndpoint() const {
    std::lock_guard lock(endpointMutex_);
    return local_;
  }

  asio::any_io_executor executor_;
  ServerConfig config_;
  std::shared_ptr<FaultInjector> faults_;
  std::shared_ptr<ServerCounters> counters_;
  std::shared_ptr<SessionTracker> sessions_;
  std::shared_ptr<ServerCore> core_;
  std::shared_ptr<RequestProcessor> processor_;
  CurrentStateProvider provider_;

 private:
  std::error_code makeProcessor();
  std::error_code listen();
  void doAccept();
  void onAccept(const error_code& ec, tcp::socket socket);

  asio::strand<asio::any_io_executor> acceptStrand_;
  tcp::acceptor acceptor_;  // acceptStrand_ once accepting
  asio::steady_timer acceptRetry_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  mutable std::mutex endpointMutex_;
  tcp::endpoint local_;
};

std::error_code CrnpServer::Impl::makeProcessor() {
  std::string why;
  auto allow = AddressFilter::parse(config_.allowHosts, &why);
  if (!allow) {
    spdlog::error("bad Allow_hosts '{}': {}", config_.allowHosts, why);
    return std::make_error_code(std::errc::invalid_argument);
  }
  auto deny = AddressFilter::parse(config_.denyHosts, &why);
  if (!deny) {
    spdlog::error("bad Deny_hosts '{}': {}", config_.denyHosts, why);
    return std::make_error_code(std::errc::invalid_argument);
  }
  processor_ = std::make_shared<RequestProcessor>(std::move(*allow), std::move(*deny),
                                                  config_.limits, faults_, core_);
  return {};
}

std::error_code CrnpServer::Impl::listen() {
  error_code ec;
  acceptor_.open(config_.listen.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(config_.listen, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("CRNP server cannot listen on {}: {}", crnp::toString(config_.listen),
                  ec.message());
    error_code ignored;
    acceptor_.close(ignored);
    return ec;
  }
  std::lock_guard lock(endpointMutex_);
  local_ = acceptor_.local_endpoint(ec);
  return ec;
}

std::error_code CrnpServer::Impl::start() {
  if (started_.exchange(true) || stopped_) {
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  if (auto ec = makeProcessor()) return ec;
  std::string why;
  if (auto ec = core_->load(&why)) {
    spdlog::error("cannot load the CRNP state file: {}", why);
    return ec;
  }
  if (auto ec = listen()) return ec;
  core_->recover(provider_);
  const auto local = localEndpoint();
  spdlog::info("CRNP server listening on {} (Allow_hosts '{}', Deny_hosts '{}')",
               crnp::toString(local), config_.allowHosts, config_.denyHosts);
  asio::dispatch(acceptStrand_, [self = shared_from_this()] { self->doAccept(); });
  return {};
}

void CrnpServer::Impl::stop() {
  if (stopped_.exchange(true)) return;
  core_->stop();
  sessions_->closeAll();
  asio::dispatch(acceptStrand_, [self = shared_from_this()] {
    error_code ignored;
    self->acceptRetry_.cancel();
    self->acceptor_.close(ignored);
  });
}

void CrnpServer::Impl::doAccept() {
  if (stopped_ || !acceptor_.is_open()) return;
  acceptor_.async_accept(asio::make_strand(executor_),
                         [self = shared_from_this()](error_code ec, tcp::socket socket) {
                           self->onAccept(ec, std::move(socket));
                         });
}

void CrnpServer::Impl::onAccept(const error_code& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopped_) return;
  if (ec) {
    // E.g. out of file descriptors: back off briefly instead of spinning.
    spdlog::warn("CRNP accept failed: {}; retrying in 100 ms", ec.message());
    acceptRetry_.expires_after(std::chrono::milliseconds(100));
    acceptRetry_.async_wait([self = shared_from_this()](error_code waitError) {
      if (!waitError) self->doAccept();
    });
    return;
  }
  if (sessions_->size() >= config_.maxConnections) {
    const auto rejected = counters_->connectionsRejected.fetch_add(1) + 1;
    if ((rejected & (rejected - 1)) == 0) {  // 1, 2, 4, 8...: visible without flooding the log
      spdlog::warn("{} registration connection(s) refused: {} already open (maxConnections)",
                   rejected, config_.maxConnections);
    }
    error_code ignored;
    socket.close(ignored);
  } else {
    SessionSettings settings;
    settings.requestTimeout = config_.requestTimeout;
    settings.lingerTimeout = std::min(config_.requestTimeout, std::chrono::milliseconds(1000));
    settings.maxBytes = config_.limits.maxBytes;
    settings.maxDepth = config_.limits.maxDepth;
    auto session = std::make_shared<RegistrationSession>(std::move(socket), settings, processor_,
                                                         counters_, sessions_);
    sessions_->add(session);
    session->start();
  }
  doAccept();
}

CrnpServer::CrnpServer(asio::any_io_executor executor, ServerConfig config)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(config))) {}

CrnpServer::~CrnpServer() { impl_->stop(); }

std::error_code CrnpServer::start() { return impl_->start(); }
void CrnpServer::stop() { impl_->stop(); }
tcp::endpoint CrnpServer::localEndpoint() const { return impl_->localEndpoint(); }
std::size_t CrnpServer::publish(const Event& event) { return impl_->core_->publish(event); }
void CrnpServer::seedLatest(const std::vector<Event>& events) { impl_->core_->seedLatest(events); }
void CrnpServer::setCurrentStateProvider(CurrentStateProvider provider) {
  impl_->provider_ = std::move(provider);
}
std::vector<ClientInfo> CrnpServer::clients() const { return impl_->core_->clients(); }
ServerStats CrnpServer::stats() const { return impl_->counters_->snapshot(); }
FaultInjector& CrnpServer::faults() { return *impl_->faults_; }

}  // namespace crnp::sim
