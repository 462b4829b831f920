#pragma once
#include <string>
#include <vector>

namespace bench {

/// `crnp-bench-client flood --target IP:PORT --events M [--concurrency C] [--gateway HOST:PORT]
/// [--server-pid PID]`: sends M SC_EVENT documents, one per TCP connection as a CRNP server
/// does (connect, write, half-close, wait for the peer's close), from C threads. With
/// --gateway it also waits until GetClusterState counts them all (upstream.events_received).
/// Prints events/s and the server's CPU per event; exit 1 when events went missing.
int runIngestFlood(const std::vector<std::string>& args);

}  // namespace bench
