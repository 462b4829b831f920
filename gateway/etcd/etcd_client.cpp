#include "etcd_client.hpp"

#include "etcd_channel.hpp"
#include "etcd_keys.hpp"

namespace gateway::etcd {
namespace {

const char* codeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

std::string joined(const std::vector<std::string>& endpoints) {
  std::string text;
  for (const auto& endpoint : endpoints) text += (text.empty() ? "" : ",") + endpoint;
  return text;
}

}  // namespace

EtcdResult<std::shared_ptr<EtcdClient>> EtcdClient::connect(const EtcdClientOptions& options) {
  auto channel = makeEtcdChannel(options);
  if (!channel) return channel.error();
  std::shared_ptr<EtcdClient> client(new EtcdClient(options, std::move(channel).value()));
  if (!client->channel_->WaitForConnected(Clock::now() + options.dialTimeout)) {
    return EtcdError{grpc::StatusCode::UNAVAILABLE,
                     "cannot reach etcd at " + client->endpointList_ + " within " +
                         std::to_string(options.dialTimeout.count()) + " ms"};
  }
  if (!options.username.empty()) {
    if (auto error = client->authenticate()) return *error;
  }
  return client;
}

EtcdClient::EtcdClient(EtcdClientOptions options, std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      endpointList_(joined(options_.endpoints)),
      channel_(std::move(channel)),
      kv_(etcdserverpb::KV::NewStub(channel_)),
      watch_(etcdserverpb::Watch::NewStub(channel_)),
      lease_(etcdserverpb::Lease::NewStub(channel_)),
      auth_(etcdserverpb::Auth::NewStub(channel_)),
      election_(v3electionpb::Election::NewStub(channel_)) {}

EtcdClient::~EtcdClient() = default;

EtcdError EtcdClient::describe(std::string_view what, const grpc::Status& status,
                               const grpc::ClientContext* context) const {
  std::string where = context != nullptr ? context->peer() : std::string();
  if (where.empty()) where = endpointList_;
  return {status.error_code(), "etcd " + std::string(what) + " (" + where + "): " +
                                   codeName(status.error_code()) + ": " + status.error_message()};
}

std::optional<EtcdError> EtcdClient::authenticate() {
  etcdserverpb::AuthenticateRequest request;
  request.set_name(options_.username);
  request.set_password(options_.password);
  etcdserverpb::AuthenticateResponse response;
  grpc::ClientContext context;
  context.set_deadline(requestDeadline());
  const auto status = auth_->Authenticate(&context, request, &response);
  if (!status.ok()) return describe("authenticate as " + options_.username, status, &context);
  std::lock_guard lock(tokenMutex_);
  token_ = response.token();
  return std::nullopt;
}

std::optional<EtcdError> EtcdClient::prepare(grpc::ClientContext& context,
                                             std::optional<Clock::time_point> deadline) {
  if (deadline) context.set_deadline(*deadline);
  if (options_.username.empty()) return std::nullopt;
  std::string token;
  {
    std::lock_guard lock(tokenMutex_);
    token = token_;
  }
  if (token.empty()) {
    if (auto error = authenticate()) return error;
    std::lock_guard lock(tokenMutex_);
    token = token_;
  }
  context.AddMetadata("token", token);
  return std::nullopt;
}

void EtcdClient::reconnect() {
  // A failed call does not make an idle channel try the members again; asking it to connect
  // does (a no-op while it is already connecting).
  channel_->GetState(/*try_to_connect=*/true);
}

bool EtcdClient::forgetTokenIfRejected(const grpc::Status& status) {
  if (options_.username.empty()) return false;
  // etcd's ErrGRPCInvalidAuthToken and ErrGRPCAuthOldRevision: authenticating again helps.
  const auto& message = status.error_message();
  const bool rejected = message.find("invalid auth token") != std::string::npos ||
                        message.find("revision of auth store is old") != std::string::npos;
  if (!rejected) return false;
  std::lock_guard lock(tokenMutex_);
  token_.clear();
  return true;
}

template <class Response, class Invoke>
EtcdResult<Response> EtcdClient::unary(std::string_view what, bool idempotent, Invoke invoke) {
  bool reauthenticated = false;
  bool repeated = false;
  for (;;) {
    grpc::ClientContext context;
    if (auto error = prepare(context, requestDeadline())) return *error;
    Response response;
    const grpc::Status status = invoke(context, response);
    if (status.ok()) return response;
    if (!reauthenticated && forgetTokenIfRejected(status)) {
      reauthenticated = true;
      continue;
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) reconnect();
    if (idempotent && !repeated && status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      repeated = true;  // the member went away under the call; another one answers
      continue;
    }
    return describe(what, status, &context);
  }
}

EtcdResult<etcdserverpb::RangeResponse> EtcdClient::range(const RangeQuery& query) {
  etcdserverpb::RangeRequest request;
  request.set_key(query.key);
  if (query.prefix) {
    request.set_range_end(prefixRangeEnd(query.key));
    if (!query.after.empty()) request.set_key(query.after + '\0');
  }
  request.set_revision(query.revision);
  request.set_limit(query.limit);
  if (query.descending) {
    request.set_sort_order(etcdserverpb::RangeRequest::DESCEND);
    request.set_sort_target(etcdserverpb::RangeRequest::KEY);
  }
  return unary<etcdserverpb::RangeResponse>(
      "range " + query.key, true,
      [&](auto& context, auto& response) { return kv_->Range(&context, request, &response); });
}

EtcdResult<PrefixRange> EtcdClient::rangePrefix(const std::string& prefix, std::int64_t revision,
                                                std::int64_t pageSize) {
  PrefixRange all;
  RangeQuery query{prefix, true, revision, pageSize};
  for (;;) {
    auto page = range(query);
    if (!page) return page.error();
    const auto& response = page.value();
    if (query.revision == 0) query.revision = response.header().revision();
    all.clusterId = response.header().cluster_id();
    all.kvs.insert(all.kvs.end(), response.kvs().begin(), response.kvs().end());
    if (!response.more() || response.kvs().empty()) break;
    query.after = response.kvs().rbegin()->key();
  }
  all.revision = query.revision;
  return all;
}

EtcdResult<etcdserverpb::PutResponse> EtcdClient::put(const std::string& key,
                                                      const std::string& value,
                                                      std::int64_t lease) {
  etcdserverpb::PutRequest request;
  request.set_key(key);
  request.set_value(value);
  request.set_lease(lease);
  return unary<etcdserverpb::PutResponse>("put " + key, false, [&](auto& context, auto& response) {
    return kv_->Put(&context, request, &response);
  });
}

EtcdResult<etcdserverpb::DeleteRangeResponse> EtcdClient::remove(const std::string& key,
                                                                 bool prefix) {
  etcdserverpb::DeleteRangeRequest request;
  request.set_key(key);
  if (prefix) request.set_range_end(prefixRangeEnd(key));
  return unary<etcdserverpb::DeleteRangeResponse>(
      "delete " + key, false, [&](auto& context, auto& response) {
        return kv_->DeleteRange(&context, request, &response);
      });
}

EtcdResult<etcdserverpb::TxnResponse> EtcdClient::txn(const etcdserverpb::TxnRequest& request) {
  return unary<etcdserverpb::TxnResponse>("txn", false, [&](auto& context, auto& response) {
    return kv_->Txn(&context, request, &response);
  });
}

EtcdResult<etcdserverpb::CompactionResponse> EtcdClient::compact(std::int64_t revision) {
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(true);
  return unary<etcdserverpb::CompactionResponse>(
      "compact to " + std::to_string(revision), false,
      [&](auto& context, auto& response) { return kv_->Compact(&context, request, &response); });
}

EtcdResult<etcdserverpb::LeaseGrantResponse> EtcdClient::leaseGrant(std::chrono::seconds ttl) {
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl.count());
  auto result = unary<etcdserverpb::LeaseGrantResponse>(
      "lease grant", false, [&](auto& context, auto& response) {
        return lease_->LeaseGrant(&context, request, &response);
      });
  if (result && !result.value().error().empty())
    return EtcdError{grpc::StatusCode::FAILED_PRECONDITION,
                     "etcd lease grant (" + endpointList_ + "): " + result.value().error()};
  return result;
}

EtcdResult<EtcdDone> EtcdClient::leaseRevoke(std::int64_t lease) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease);
  auto result = unary<etcdserverpb::LeaseRevokeResponse>(
      "lease revoke " + std::to_string(lease), false, [&](auto& context, auto& response) {
        return lease_->LeaseRevoke(&context, request, &response);
      });
  if (!result) return result.error();
  return EtcdDone{};
}

EtcdResult<etcdserverpb::LeaseKeepAliveResponse> EtcdClient::leaseKeepAliveOnce(
    std::int64_t lease) {
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease);
  return unary<etcdserverpb::LeaseKeepAliveResponse>(
      "lease keep-alive " + std::to_string(lease), true,
      [&](grpc::ClientContext& context, etcdserverpb::LeaseKeepAliveResponse& response) {
        auto stream = lease_->LeaseKeepAlive(&context);
        if (stream->Write(request) && stream->WritesDone() && stream->Read(&response)) {
          auto status = stream->Finish();
          // The answer arrived; how the stream closed after it does not matter.
          return status.ok() || status.error_code() == grpc::StatusCode::CANCELLED
                     ? grpc::Status::OK
                     : status;
        }
        auto status = stream->Finish();
        return status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                          "keep-alive stream closed without an answer")
                           : status;
      });
}

EtcdResult<etcdserverpb::LeaseTimeToLiveResponse> EtcdClient::leaseTimeToLive(std::int64_t lease) {
  etcdserverpb::LeaseTimeToLiveRequest request;
  request.set_id(lease);
  return unary<etcdserverpb::LeaseTimeToLiveResponse>(
      "lease time-to-live " + std::to_string(lease), true, [&](auto& context, auto& response) {
        return lease_->LeaseTimeToLive(&context, request, &response);
      });
}

EtcdResult<v3electionpb::LeaderKey> EtcdClient::campaign(const std::string& name,
                                                         std::int64_t lease,
                                                         const std::string& value,
                                                         EtcdCancellation* cancel) {
  v3electionpb::CampaignRequest request;
  request.set_name(name);
  request.set_lease(lease);
  request.set_value(value);
  bool reauthenticated = false;
  for (;;) {
    grpc::ClientContext context;
    if (auto error = prepare(context, std::nullopt)) return *error;
    if (cancel != nullptr && !cancel->attach(&context))
      return EtcdError{grpc::StatusCode::CANCELLED, "etcd campaign " + name + ": cancelled"};
    v3electionpb::CampaignResponse response;
    const auto status = election_->Campaign(&context, request, &response);
    if (cancel != nullptr) cancel->detach();
    if (status.ok()) return response.leader();
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) reconnect();
    if (!reauthenticated && forgetTokenIfRejected(status)) {
      reauthenticated = true;
      continue;
    }
    return describe("campaign " + name, status, &context);
  }
}

EtcdResult<mvccpb::KeyValue> EtcdClient::leader(const std::string& name) {
  v3electionpb::LeaderRequest request;
  request.set_name(name);
  auto result = unary<v3electionpb::LeaderResponse>(
      "leader of " + name, true, [&](auto& context, auto& response) {
        return election_->Leader(&context, request, &response);
      });
  if (!result) return result.error();
  return result.value().kv();
}

EtcdResult<EtcdDone> EtcdClient::proclaim(const v3electionpb::LeaderKey& leader,
                                          const std::string& value) {
  v3electionpb::ProclaimRequest request;
  *request.mutable_leader() = leader;
  request.set_value(value);
  auto result = unary<v3electionpb::ProclaimResponse>(
      "proclaim " + leader.name(), false, [&](auto& context, auto& response) {
        return election_->Proclaim(&context, request, &response);
      });
  if (!result) return result.error();
  return EtcdDone{};
}

EtcdResult<EtcdDone> EtcdClient::resign(const v3electionpb::LeaderKey& leader) {
  v3electionpb::ResignRequest request;
  *request.mutable_leader() = leader;
  auto result = unary<v3electionpb::ResignResponse>(
      "resign " + leader.name(), true, [&](auto& context, auto& response) {
        return election_->Resign(&context, request, &response);
      });
  if (!result) return result.error();
  return EtcdDone{};
}

}  // namespace gateway::etcd
