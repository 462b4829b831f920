#include "replicated_deployment.hpp"

#include <future>

#include "crnp/structured_log.hpp"
#include "log_entry_codec.hpp"

namespace gateway {
namespace {
constexpr std::string_view kLog = "ha";

void addTerm(ReplicationStats& total, const ha::EventLogAppenderStats& term) {
  total.appended += term.appended;
  total.repeats += term.repeats;
  total.dropped += term.dropped;
  total.appendErrors += term.failedTxns;
}
}  // namespace

ReplicatedDeployment::ReplicatedDeployment(etcd::EtcdClientPtr client, Settings settings,
                                           boost::asio::any_io_executor timers,
                                           UpstreamFactory factory)
    : client_(std::move(client)),
      settings_(std::move(settings)),
      keys_(settings_.prefix),
      timers_(std::move(timers)),
      factory_(std::move(factory)),
      upstream_(std::make_shared<ha::ReplicatedUpstream>(client_, keys_, settings_.replicaName)) {}

ReplicatedDeployment::~ReplicatedDeployment() { stop(); }

etcd::EtcdResult<ha::EventLogFollower::Loaded> ReplicatedDeployment::loadEventLog(
    std::size_t ringEvents) const {
  return ha::EventLogFollower::load(*client_, keys_, ringEvents);
}

std::shared_ptr<CrnpUpstream> ReplicatedDeployment::crnpUpstream() const {
  std::lock_guard lock(termMutex_);
  return crnp_;
}

void ReplicatedDeployment::start(EventHub& hub, std::int64_t fromRevision,
                                 RegistrationService& registrations) {
  registrations_ = &registrations;
  follower_ = std::make_unique<ha::EventLogFollower>(client_, keys_, hub, fromRevision);
  upstream_->start();
  leadership_ = std::make_unique<ha::ReplicaLeadership>(
      client_, keys_, settings_.replicaName, settings_.leaseTtl,
      ha::ReplicaLeadership::Handlers{[this](const ha::LeadershipTerm& term) { onElected(term); },
                                      [this](const std::string& why) { onDeposed(why); }});
  auto* leadership = leadership_.get();
  forwarder_ = std::make_unique<ha::ChangeForwarder>(
      client_, keys_, settings_.replicaName, [leadership] { return leadership->lease(); }, timers_);
  forwarder_->start();
  executor_ = std::make_unique<ha::ChangeExecutor>(client_, keys_, registrations);
  executor_->start();
  routed_ = std::make_unique<ha::LeaderRoutedChanges>(registrations, *forwarder_,
                                                      [leadership] { return leadership->leads(); });
  leadership_->start();
}

void ReplicatedDeployment::describe(crnp::gateway::v1::DeploymentStatus* out,
                                    const EventHub& hub) const {
  out->set_mode("replicated");
  out->set_replica(settings_.replicaName);
  if (leadership_) {
    out->set_leader(leadership_->leader());
    out->set_is_leader(leadership_->leads());
  }
  out->set_applied_revision(static_cast<std::uint64_t>(ha::revisionOf(hub.lastSequence())));
}

ReplicationStats ReplicatedDeployment::stats() const {
  ReplicationStats stats;
  std::shared_ptr<ha::EventLogAppender> appender;
  {
    std::lock_guard lock(termMutex_);
    stats = pastTerms_;
    appender = appender_;
  }
  stats.leader = leadership_ && leadership_->leads();
  if (appender) {
    addTerm(stats, appender->stats());
  }
  return stats;
}

void ReplicatedDeployment::onElected(const ha::LeadershipTerm& term) {
  auto appender =
      ha::EventLogAppender::start(client_, keys_, term.key.key(), term.key.rev(), settings_.log,
                                  [this](const std::string& why) { leadership_->stepDown(why); });
  if (!appender) {
    crnp::slog::error(kLog, "cannot take over the event log; stepping down",
                      {{"error", appender.error().message}});
    return leadership_->stepDown("cannot take over the event log");
  }
  std::shared_ptr<ha::EventLogAppender> log = std::move(appender).value();
  auto termUpstream = factory_([log](crnp::Event event) {
    log->append(std::move(event), std::chrono::system_clock::now());
  });
  if (!termUpstream) {
    log->stop();
    return leadership_->stepDown("the CRNP upstream cannot start");
  }
  {
    std::lock_guard lock(termMutex_);
    appender_ = log;
    crnp_ = termUpstream;
    ++pastTerms_.termsWon;
  }
  upstream_->lead(termUpstream, term.key.lease());
  executor_->lead();
  // The stored registrations, registered from this replica's address (ADD_CLIENT with the
  // union): the cluster answers with the latest event of each type, which the log leaves out
  // when it repeats what the replicas have.
  registrations_->restore([](const RegistrationService::RestoreResult&) {});
}

void ReplicatedDeployment::onDeposed(const std::string& why) {
  std::shared_ptr<ha::EventLogAppender> appender;
  std::shared_ptr<CrnpUpstream> termUpstream;
  {
    std::lock_guard lock(termMutex_);
    appender = std::move(appender_);
    termUpstream = std::move(crnp_);
    appender_.reset();
    crnp_.reset();
  }
  if (appender) {
    appender->stop();  // not one more event into the log
    const auto term = appender->stats();
    std::lock_guard lock(termMutex_);
    addTerm(pastTerms_, term);
  }
  executor_->follow();
  upstream_->follow();
  if (!termUpstream) return;
  // The next leader registers from its own address; this one's registration would only have
  // the cluster call back a replica that no longer listens.
  auto answered = std::make_shared<std::promise<UpstreamResult>>();
  auto answer = answered->get_future();
  termUpstream->applyTypes(
      {}, [answered](UpstreamResult result) { answered->set_value(std::move(result)); });
  if (answer.wait_for(settings_.removeClientWait) == std::future_status::ready) {
    const auto result = answer.get();
    crnp::slog::info(kLog, "CRNP registration removed on stepping down",
                     {{"ok", result.ok()}, {"detail", result.message}, {"reason", why}});
  } else {
    crnp::slog::warn(kLog, "REMOVE_CLIENT not answered in time on stepping down",
                     {{"reason", why}});
  }
  termUpstream->stop();
}

void ReplicatedDeployment::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (leadership_) leadership_->stop();  // ends a term: onDeposed
  if (forwarder_) forwarder_->stop();
  if (executor_) executor_->stop();
  follower_.reset();
}

}  // namespace gateway
