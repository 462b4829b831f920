#pragma once
// One registration connection (protocol section 2): read with crnp::XmlFramer until the root
// element closes (bounded by the request deadline and the size limit), hand the document to
// the RequestProcessor, write the reply, shut down the send side, read until the client
// closes (briefly, discarding), close. Each session runs on its own strand.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "crnp/framer.hpp"
#include "request_processor.hpp"
#include "server_counters.hpp"

namespace crnp::sim {

class RegistrationSession;

/// The open sessions, for Max connections and for closing them all at stop(). Thread-safe.
class SessionTracker {
 public:
  std::size_t size() const;
  void add(const std::shared_ptr<RegistrationSession>& session);
  void remove(const RegistrationSession* session);
  void closeAll();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const RegistrationSession*, std::weak_ptr<RegistrationSession>> sessions_;
};

struct SessionSettings {
  std::chrono::milliseconds requestTimeout{10'000};  ///< whole request, from accept
  std::chrono::milliseconds lingerTimeout{1'000};    ///< after the reply, for the client's close
  std::size_t maxBytes = 1024 * 1024;
  std::size_t maxDepth = 16;
};

class RegistrationSession : public std::enable_shared_from_this<RegistrationSession> {
 public:
  /// `socket` must use its own strand as executor (accepted with make_strand).
  RegistrationSession(boost::asio::ip::tcp::socket socket, SessionSettings settings,
                      std::shared_ptr<RequestProcessor> processor,
                      std::shared_ptr<ServerCounters> counters,
                      std::shared_ptr<SessionTracker> tracker);
  ~RegistrationSession();
  RegistrationSession(const RegistrationSession&) = delete;
  RegistrationSession& operator=(const RegistrationSession&) = delete;

  void start();
  /// Closes the connection at once. Any thread.
  void close();

 private:
  enum class Phase { Reading, Replying, Lingering, Closed };

  void armDeadline(std::chrono::milliseconds timeout);
  void onDeadline();
  void doRead();
  void onRead(const boost::system::error_code& ec, std::size_t bytes);
  void respond(RequestOutcome outcome);
  void doWrite();
  void onWrite(const boost::system::error_code& ec);
  void doDrain();
  void closeNow();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer delayTimer_;
  SessionSettings settings_;
  std::shared_ptr<RequestProcessor> processor_;
  std::shared_ptr<ServerCounters> counters_;
  std::shared_ptr<SessionTracker> tracker_;
  XmlFramer framer_;
  std::array<char, 8192> buffer_{};
  std::string replyText_;
  boost::asio::ip::address source_;
  Phase phase_ = Phase::Reading;
};

}  // namespace crnp::sim
