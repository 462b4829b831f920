#pragma once
// Turns one framed registration request into the server's answer: access control (FAIL),
// parsing (MALFORMED / INVALID / VERSION_*), the ReplyCode fault, then the registration
// rules (ServerCore::apply). Also takes the DropReply / DelayReply faults. No I/O of its own
// beyond what ServerCore does; thread-safe.
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crnp/address_filter.hpp"
#include "crnp/limits.hpp"
#include "crnp/messages.hpp"
#include "crnp/sim/faults.hpp"

namespace crnp::sim {

class ServerCore;

struct RequestOutcome {
  std::optional<Reply> reply;          ///< nullopt: close without replying (DropReply)
  std::chrono::milliseconds delay{0};  ///< wait this long before replying (DelayReply)
};

class RequestProcessor {
 public:
  RequestProcessor(AddressFilter allowHosts, AddressFilter denyHosts, ParseLimits limits,
                   std::shared_ptr<FaultInjector> faults, std::shared_ptr<ServerCore> core);

  /// `document` is the framed request, `trailing` what followed it in the same read.
  RequestOutcome handleDocument(const boost::asio::ip::address& source, std::string_view document,
                                std::string_view trailing);
  /// The request could not be framed (not XML, too large, closed early...).
  RequestOutcome handleFramingError(const boost::asio::ip::address& source, const std::string& why);

 private:
  /// FAIL reply when `source` may not register, nullopt when it may.
  std::optional<Reply> checkAccess(const boost::asio::ip::address& source) const;
  Reply answer(const boost::asio::ip::address& source, std::string_view document,
               std::string_view trailing);
  RequestOutcome withReplyFaults(Reply reply);

  AddressFilter allowHosts_;
  AddressFilter denyHosts_;
  ParseLimits limits_;
  std::shared_ptr<FaultInjector> faults_;
  std::shared_ptr<ServerCore> core_;
};

}  // namespace crnp::sim
