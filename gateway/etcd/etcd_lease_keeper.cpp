#include "etcd_lease_keeper.hpp"

#include <algorithm>

namespace gateway::etcd {
namespace {
constexpr std::chrono::milliseconds kRetryDelay{200};
}

EtcdLeaseKeeper::EtcdLeaseKeeper(EtcdClientPtr client, std::int64_t lease, std::chrono::seconds ttl,
                                 OnLost onLost)
    : client_(std::move(client)), lease_(lease), ttl_(ttl), onLost_(std::move(onLost)) {
  thread_ = std::thread([this] { run(); });
}

EtcdLeaseKeeper::~EtcdLeaseKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

int EtcdLeaseKeeper::renewals() const {
  std::lock_guard lock(mutex_);
  return renewals_;
}

bool EtcdLeaseKeeper::lost() const {
  std::lock_guard lock(mutex_);
  return lost_;
}

void EtcdLeaseKeeper::run() {
  using Clock = std::chrono::steady_clock;
  const auto interval =
      std::max<std::chrono::milliseconds>(std::chrono::milliseconds(ttl_) / 3, kRetryDelay);
  auto renewedAt = Clock::now();  // the grant, just before the keeper started
  auto delay = interval;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return;
    }
    auto answer = client_->leaseKeepAliveOnce(lease_);
    std::string why;
    if (answer && answer.value().ttl() > 0) {
      renewedAt = Clock::now();
      delay = interval;
      std::lock_guard lock(mutex_);
      ++renewals_;
      continue;
    }
    if (answer) {
      why = "lease " + std::to_string(lease_) + " expired or was revoked";
    } else if (Clock::now() - renewedAt >= ttl_) {
      why = "lease " + std::to_string(lease_) + " not renewed for its TTL of " +
            std::to_string(ttl_.count()) + " s: " + answer.error().message;
    } else {
      delay = kRetryDelay;
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      lost_ = true;
    }
    if (onLost_) onLost_(why);
    return;
  }
}

}  // namespace gateway::etcd
