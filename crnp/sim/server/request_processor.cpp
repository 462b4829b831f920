#include "request_processor.hpp"

#include <spdlog/spdlog.h>

#include "crnp/codec.hpp"
#include "crnp_server_core.hpp"

namespace crnp::sim {
namespace {

Reply makeReply(StatusCode code, std::string message) {
  Reply reply;
  reply.code = code;
  reply.message = std::move(message);
  return reply;
}

bool onlySpace(std::string_view bytes) {
  return bytes.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

RequestProcessor::RequestProcessor(AddressFilter allowHosts, AddressFilter denyHosts,
                                   ParseLimits limits, std::shared_ptr<FaultInjector> faults,
                                   std::shared_ptr<ServerCore> core)
    : allowHosts_(std::move(allowHosts)),
      denyHosts_(std::move(denyHosts)),
      limits_(limits),
      faults_(std::move(faults)),
      core_(std::move(core)) {}

RequestOutcome RequestProcessor::handleDocument(const boost::asio::ip::address& source,
                                                std::string_view document,
                                                std::string_view trailing) {
  return withReplyFaults(answer(source, document, trailing));
}

RequestOutcome RequestProcessor::handleFramingError(const boost::asio::ip::address& source,
                                                    const std::string& why) {
  // Authorization is checked first: a host that may not register learns nothing more.
  if (auto refused = checkAccess(source)) return withReplyFaults(*refused);
  spdlog::info("malformed request from {}: {}", source.to_string(), why);
  return withReplyFaults(makeReply(
      StatusCode::Malformed, "the request is not one well-formed SC_CALLBACK_REG document: " + why +
                                 "; fix the client that sent it"));
}

std::optional<Reply> RequestProcessor::checkAccess(const boost::asio::ip::address& source) const {
  const auto ip = normalize(source);
  if (denyHosts_.matches(ip)) {
    spdlog::info("registration from {} refused: in Deny_hosts ({})", ip.to_string(),
                 denyHosts_.spec());
    return makeReply(StatusCode::Fail, "source address " + ip.to_string() +
                                           " is listed in Deny_hosts; ask the cluster "
                                           "administrator to allow this host");
  }
  if (!allowHosts_.matches(ip)) {
    spdlog::info("registration from {} refused: not in Allow_hosts ({})", ip.to_string(),
                 allowHosts_.spec());
    return makeReply(StatusCode::Fail, "source address " + ip.to_string() +
                                           " is not in Allow_hosts; ask the cluster "
                                           "administrator to add this host");
  }
  return std::nullopt;
}

Reply RequestProcessor::answer(const boost::asio::ip::address& source, std::string_view document,
                               std::string_view trailing) {
  if (auto refused = checkAccess(source)) return *refused;
  if (!onlySpace(trailing)) {
    return makeReply(StatusCode::Malformed,
                     "unexpected bytes after the end of the SC_CALLBACK_REG document; send "
                     "exactly one document per connection");
  }
  auto parsed = parseRegistration(document, limits_);
  if (!parsed) {
    const auto& error = parsed.error();
    spdlog::info("bad request from {}: {}", source.to_string(), error.message);
    return makeReply(error.replyCode(), error.message);
  }
  if (auto fault = faults_->take(FaultKind::ReplyCode)) {
    spdlog::info("ReplyCode fault: answering {} with {}", source.to_string(),
                 toString(fault->code));
    return makeReply(fault->code, "simulated " + std::string(toString(fault->code)) +
                                      " (injected fault): the request was not processed; "
                                      "send it again later");
  }
  return core_->apply(source, parsed.value());
}

RequestOutcome RequestProcessor::withReplyFaults(Reply reply) {
  RequestOutcome outcome;
  if (faults_->take(FaultKind::DropReply)) {
    spdlog::info("DropReply fault: closing without the {} reply", toString(reply.code));
    return outcome;
  }
  if (auto delay = faults_->take(FaultKind::DelayReply)) outcome.delay = delay->delay;
  outcome.reply = std::move(reply);
  return outcome;
}

}  // namespace crnp::sim
