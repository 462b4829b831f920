#pragma once
// Loopback test peers for network code, sharing no code with the library under test:
//   raw_socket.hpp       RawSocket: blocking socket, deadline-bound reads, hostile-peer helpers
//   loopback_server.hpp  LoopbackServer: accept thread + per-connection behaviour (fake servers)
//   eventually.hpp       eventually(): poll a condition with a deadline
// Every blocking call has a deadline, so a broken test fails instead of hanging.
#include "eventually.hpp"
#include "loopback_server.hpp"
#include "raw_socket.hpp"
