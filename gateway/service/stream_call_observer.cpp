#include "stream_call_observer.hpp"

namespace gateway {

StreamCallObserver& StreamCallObserver::none() {
  class None final : public StreamCallObserver {
    void started() override {}
    void messageSent() override {}
    void handled(grpc::StatusCode) override {}
  };
  static None instance;
  return instance;
}

}  // namespace gateway
