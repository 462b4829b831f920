#include "replica_leadership.hpp"

#include "crnp/structured_log.hpp"
#include "etcd_lease_keeper.hpp"

namespace gateway::ha {
namespace {
constexpr std::string_view kLog = "ha";
constexpr std::chrono::milliseconds kRetry{500};  // after a failed grant or campaign
}  // namespace

ReplicaLeadership::ReplicaLeadership(etcd::EtcdClientPtr client, ReplicationKeys keys,
                                     std::string replicaName, std::chrono::seconds leaseTtl,
                                     Handlers handlers)
    : client_(std::move(client)),
      keys_(std::move(keys)),
      replicaName_(std::move(replicaName)),
      leaseTtl_(leaseTtl),
      handlers_(std::move(handlers)) {}

ReplicaLeadership::~ReplicaLeadership() { stop(); }

void ReplicaLeadership::start() {
  observer_ = std::make_unique<etcd::EtcdLeaderObserver>(
      client_, keys_.election,
      [this](const mvccpb::KeyValue& leader) {
        bool changed = false;
        {
          std::lock_guard lock(mutex_);
          changed = leader_ != leader.value();
          leader_ = leader.value();
        }
        if (changed) crnp::slog::info(kLog, "leader observed", {{"leader", leader.value()}});
      },
      [](const etcd::EtcdError& error) {
        crnp::slog::warn(kLog, "observing the election interrupted; resuming",
                         {{"error", error.message}});
      });
  thread_ = std::thread([this] { campaignLoop(); });
}

void ReplicaLeadership::stop() {
  std::shared_ptr<etcd::EtcdCancellation> cancel;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    termOver_ = true;
    if (termOverWhy_.empty()) termOverWhy_ = "shutting down";
    cancel = campaignCancel_;
  }
  if (cancel) cancel->cancel();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  observer_.reset();
}

void ReplicaLeadership::stepDown(const std::string& why) {
  std::shared_ptr<etcd::EtcdCancellation> cancel;
  {
    std::lock_guard lock(mutex_);
    if (!termOver_) {
      termOver_ = true;
      termOverWhy_ = why;
    }
    cancel = campaignCancel_;
  }
  if (cancel) cancel->cancel();
  wake_.notify_all();
}

bool ReplicaLeadership::leads() const {
  std::lock_guard lock(mutex_);
  return leads_;
}

std::string ReplicaLeadership::leader() const {
  std::lock_guard lock(mutex_);
  return leads_ ? replicaName_ : leader_;
}

std::int64_t ReplicaLeadership::lease() const {
  std::lock_guard lock(mutex_);
  return lease_;
}

bool ReplicaLeadership::waitUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void ReplicaLeadership::campaignLoop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      termOver_ = false;
      termOverWhy_.clear();
    }
    auto granted = client_->leaseGrant(leaseTtl_);
    if (!granted) {
      crnp::slog::warn(kLog, "cannot get an etcd lease; retrying",
                       {{"error", granted.error().message}});
      if (!waitUnlessStopping(kRetry)) return;
      continue;
    }
    const std::int64_t lease = granted.value().id();
    auto cancel = std::make_shared<etcd::EtcdCancellation>();
    {
      std::lock_guard lock(mutex_);
      lease_ = lease;
      campaignCancel_ = cancel;
      if (stopping_) cancel->cancel();
    }
    etcd::EtcdLeaseKeeper keeper(client_, lease, leaseTtl_, [this](const std::string& why) {
      stepDown("the etcd lease was lost: " + why);
    });
    auto elected = client_->campaign(keys_.election, lease, replicaName_, cancel.get());
    bool over = false;
    std::string why;
    if (elected) {
      {
        std::lock_guard lock(mutex_);
        over = termOver_;
        leads_ = !over;
      }
      if (!over) {
        crnp::slog::info(
            kLog, "leader elected",
            {{"replica", replicaName_}, {"lease", lease}, {"revision", elected.value().rev()}});
        handlers_.onElected(LeadershipTerm{elected.value()});
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return termOver_; });
        why = termOverWhy_;
        leads_ = false;
        lock.unlock();
        crnp::slog::warn(kLog, "leadership ended", {{"replica", replicaName_}, {"reason", why}});
        handlers_.onDeposed(why);
      }
    } else {
      std::lock_guard lock(mutex_);
      if (!stopping_ && !termOver_) {
        crnp::slog::warn(kLog, "campaign failed; retrying", {{"error", elected.error().message}});
      }
    }
    // Hand over at once when etcd answers: resign (the next campaigner wins now) and revoke
    // the lease (its keys go with it). A lost lease is gone already.
    if (elected) (void)client_->resign(elected.value());
    (void)client_->leaseRevoke(lease);
    {
      std::lock_guard lock(mutex_);
      lease_ = 0;
      campaignCancel_.reset();
    }
    if (!elected && !waitUnlessStopping(kRetry)) return;
  }
}

}  // namespace gateway::ha
