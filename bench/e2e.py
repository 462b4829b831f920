#!/usr/bin/python3
"""End-to-end benchmarks of crnp-gateway against baselines measured in the same run.

Starts crnp-sim (the cluster, its own process), crnp-gateway pointed at it (--crnp-server),
the baselines (bench/e2e: crnp-bench-bare-server, crnp-bench-bare-ingest) and the load client
(crnp-bench-client), all on loopback; stops every process it started by PID. Prints a
Markdown table (figure, gateway, baseline, ratio) with the machine and the command; --out
writes it to a file too, with the raw figures next to it as JSON.

  bench/e2e.py --build build                 # full run (about 3-5 minutes on 2 cores)
  bench/e2e.py --build build --quick         # smoke test: small N, a few seconds, no thresholds

A scenario that breaks (a process dies, a stream fails, events do not arrive) ends the run with
exit code 1; slow figures never do. Only Debian's python3 standard library is used.
"""
import argparse
import json
import os
import platform
import queue
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time


class BenchError(Exception):
    pass


class Proc:
    """A child process whose stdout lines are read by a thread (so it never blocks on a pipe)."""

    running = []

    def __init__(self, name, argv, stdin=False):
        self.name = name
        self.argv = argv
        self.lines = queue.Queue()
        self.tail = []
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid
        Proc.running.append(self)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.tail = (self.tail + [line.rstrip()])[-20:]
            self.lines.put(line.rstrip())
        self.lines.put(None)

    def alive(self):
        return self.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            raise BenchError(f"{self.name} (pid {self.pid}) exited with code "
                             f"{self.proc.returncode}; last output:\n  " + "\n  ".join(self.tail))

    def wait_line(self, pattern, timeout):
        """The first match of `pattern` in the next lines (a regex), within `timeout` s."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError(f"{self.name}: no line matching {pattern!r} within {timeout} s; "
                                 "last output:\n  " + "\n  ".join(self.tail))
            try:
                line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait()
                self.check_alive()
                raise BenchError(f"{self.name} closed its output")
            match = regex.search(line)
            if match:
                return match

    def wait_json(self, key, timeout):
        """The next JSON line with `key` (or an "error" line, which raises)."""
        deadline = time.monotonic() + timeout
        while True:
            match = self.wait_line(r"^\{.*\}$", max(0.1, deadline - time.monotonic()))
            line = json.loads(match.group(0))
            if "error" in line:
                raise BenchError(f"{self.name}: {line['error']}")
            if key in line:
                return line

    def send(self, text):
        self.check_alive()
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def stop(self, sig=signal.SIGTERM, grace=10, exit_within=0):
        """Stops the process by its PID (after `exit_within` s for it to exit on its own)."""
        if self in Proc.running:
            Proc.running.remove(self)
        if exit_within:
            try:
                self.proc.wait(timeout=exit_within)
            except subprocess.TimeoutExpired:
                pass
        if self.alive():
            os.kill(self.pid, sig)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    @classmethod
    def stop_all(cls):
        for proc in list(reversed(cls.running)):
            proc.stop(grace=5)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError(f"no VmRSS for pid {pid}")


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.join(args.build, "bin")
        self.quick = args.quick
        # Pauses: for the streams to settle before the memory reading, to warm up before a
        # window, for the last paced events to arrive before a storm.
        self.settle = 0.3 if args.quick else 1.0
        self.results = {}
        self.tmp = tempfile.mkdtemp(prefix="crnp-bench-")
        self.sim = None
        self.sim_control = None
        self.sim_crnp = None

    def exe(self, name):
        path = os.path.join(self.bin, name)
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} is missing: build it first")
        return path

    # --- processes ---------------------------------------------------------------------------

    def start_sim(self):
        self.sim = Proc("crnp-sim", [self.exe("crnp-sim"), "--listen", "127.0.0.1:0",
                                     "--control-listen", "127.0.0.1:0", "--allow-hosts",
                                     "127.0.0.0/8", "--scenario", "none", "--stamp-emission",
                                     "--client-timeout", "10s"])
        self.sim_crnp = self.sim.wait_line(r"registration listening on (\S+)", 20).group(1)
        self.sim_control = self.sim.wait_line(r"control listening on (\S+)", 20).group(1)

    def start_gateway(self, extra=()):
        data = tempfile.mkdtemp(dir=self.tmp)
        gateway = Proc("crnp-gateway", [
            self.exe("crnp-gateway"), "--grpc-listen", "127.0.0.1:0", "--crnp-server",
            self.sim_crnp, "--callback-listen", "127.0.0.1:0", "--callback-allow", "127.0.0.0/8",
            "--metrics-listen", "off", "--data-dir", data, "--max-streams", "0",
            "--log-level", "warn", *extra])
        gateway.callback = gateway.wait_line(r"callback listening on (\S+)", 30).group(1)
        gateway.address = gateway.wait_line(r"gRPC listening on (\S+)", 30).group(1)
        return gateway

    def start_bare_server(self, snapshot_events=0):
        # Each stream starts with as many snapshot messages as the gateway's streams did.
        bare = Proc("crnp-bench-bare-server", [self.exe("crnp-bench-bare-server"),
                                               "--snapshot-events", str(snapshot_events)],
                    stdin=True)
        bare.address = bare.wait_json("listening", 20)["listening"]
        return bare

    def client(self, server, streams, register, max_batch=0):
        argv = [self.exe("crnp-bench-client"), "subscribe", "--target", server.address,
                "--streams", str(streams), "--server-pid", str(server.pid),
                "--max-batch", str(max_batch), "--timeout", "120"]
        if register:
            argv.append("--register")
        return Proc(f"crnp-bench-client ({streams} streams)", argv, stdin=True)

    def emitter(self, rate):
        return Proc("crnp-bench-client emit", [self.exe("crnp-bench-client"), "emit", "--control",
                                               self.sim_control, "--rate", str(rate)], stdin=True)

    def burst(self, count):
        proc = Proc("crnp-bench-client emit --burst",
                    [self.exe("crnp-bench-client"), "emit", "--control", self.sim_control,
                     "--burst", str(count)])
        proc.wait_json("emitted", 30)
        proc.stop(exit_within=10)

    # --- scenarios ---------------------------------------------------------------------------

    def fanout_run(self, kind, streams, rate, window, storm, snapshot_events=0):
        """One server (gateway or bare) with `streams` streams: set-up, idle memory, a
        measuring window at `rate` events/s, then (when `storm`) a burst of `storm` events.
        The bare server's snapshot has `snapshot_events` messages (the gateway's, same case)."""
        server = (self.start_gateway() if kind == "gateway" else
                  self.start_bare_server(snapshot_events))
        try:
            time.sleep(self.settle)
            rss_before = rss_kib(server.pid)
            client = self.client(server, streams, register=(kind == "gateway"))
            ready = client.wait_json("setup_ms", 180)
            time.sleep(self.settle)  # the streams settle (allocations, flow-control updates)
            rss_after = rss_kib(server.pid)
            out = {"setup_ms": ready["setup_ms"],
                   "snapshot_events": ready.get("snapshot_events", 0),
                   "rss_before_kib": rss_before,
                   "rss_streams_kib": rss_after,
                   "kib_per_stream": (rss_after - rss_before) / streams}
            if kind == "gateway":
                source = self.emitter(rate)
            else:
                server.send(f"rate {rate}")
            time.sleep(self.settle)  # warm-up
            client.send("measure")
            client.wait_json("phase", 10)
            time.sleep(window)
            client.send("report")
            out["window"] = client.wait_json("events_per_s", 60)
            if kind == "gateway":
                source.send("quit")
                source.wait_json("emitted", 30)
                source.stop(exit_within=10)
            else:
                server.send("rate 0")
            if out["window"]["events"] == 0:
                raise BenchError(f"{kind} at {streams} streams: no events arrived")
            if storm:
                client.send("drain")  # the paced events' backlog must not count in the storm
                out["drained_ms"] = client.wait_json("waited_ms", 180)["waited_ms"]
                out["storm"] = self.storm(kind, server, client, storm)
            client.send("quit")
            client.stop(exit_within=15)
            server.check_alive()
            return out
        finally:
            server.stop()

    def storm(self, kind, server, client, events):
        client.send(f"storm {events}")
        client.wait_json("phase", 10)
        if kind == "gateway":
            self.burst(events)
        else:
            server.send(f"burst {events}")
        result = client.wait_json("storm_events", 180)
        if not result["complete"]:
            raise BenchError(f"{kind}: the storm did not reach every stream")
        return result

    def batched_storm(self, streams, events, max_batch):
        server = self.start_gateway()
        try:
            client = self.client(server, streams, register=True, max_batch=max_batch)
            client.wait_json("setup_ms", 180)
            time.sleep(self.settle)
            result = self.storm("gateway", server, client, events)
            client.send("quit")
            client.stop(exit_within=15)
            server.check_alive()
            return result
        finally:
            server.stop()

    def ingest(self, events, concurrency):
        out = {}
        gateway = self.start_gateway()
        try:
            callback = gateway.callback
            flood = Proc("crnp-bench-client flood", [
                self.exe("crnp-bench-client"), "flood", "--target", callback, "--events",
                str(events), "--concurrency", str(concurrency), "--gateway", gateway.address,
                "--server-pid", str(gateway.pid)])
            out["gateway"] = flood.wait_json("events_per_s", 120)
            if out["gateway"]["counted"] < events or out["gateway"]["failed_connections"]:
                raise BenchError(f"ingest: the gateway counted {out['gateway']['counted']} of "
                                 f"{events} events ({out['gateway']['failed_connections']} "
                                 "connections failed)")
            flood.stop(exit_within=10)
            gateway.check_alive()
        finally:
            gateway.stop()
        bare = Proc("crnp-bench-bare-ingest", [self.exe("crnp-bench-bare-ingest")], stdin=True)
        try:
            address = bare.wait_json("listening", 20)["listening"]
            flood = Proc("crnp-bench-client flood (bare)", [
                self.exe("crnp-bench-client"), "flood", "--target", address, "--events",
                str(events), "--concurrency", str(concurrency), "--server-pid", str(bare.pid)])
            out["bare"] = flood.wait_json("events_per_s", 120)
            if out["bare"]["failed_connections"]:
                raise BenchError(f"ingest: {out['bare']['failed_connections']} connections to "
                                 "the bare loop failed")
            flood.stop(exit_within=10)
            bare.send("report")
            counted = bare.wait_json("connections", 10)
            if counted["connections"] != events:
                raise BenchError(f"bare ingest counted {counted['connections']} of {events}")
        finally:
            bare.stop()
        return out

    def control_plane(self, count):
        gateway = self.start_gateway()
        try:
            reg = Proc("crnp-bench-client register", [
                self.exe("crnp-bench-client"), "register", "--gateway", gateway.address,
                "--count", str(count)])
            through = reg.wait_json("round_trip_us", 120)
            reg.stop(exit_within=10)
        finally:
            gateway.stop()
        reg = Proc("crnp-bench-client register (direct)", [
            self.exe("crnp-bench-client"), "register", "--crnp-server", self.sim_crnp,
            "--count", str(count), "--callback-port", "9"])
        direct = reg.wait_json("round_trip_us", 120)
        reg.stop(exit_within=10)
        return {"gateway": through, "direct": direct}

    # --- the run -----------------------------------------------------------------------------

    def run(self):
        quick = self.quick
        # (streams, events/s): 20,000 messages/s at most, as the 1,000 streams at 20/s;
        # then one overload (50,000 messages/s), where ingest and fan-out compete.
        cases = [(1, 20), (50, 20)] if quick else [(1, 20), (100, 20), (1000, 20), (10000, 2),
                                                   (1000, 50)]
        storm_counts = [50] if quick else [1000, 10000]
        window = 1.0 if quick else 5.0
        storm_events = 50
        max_batch = 64
        self.start_sim()
        fanout = []
        for streams, rate in cases:
            # One storm per stream count, on the streams of its first (not overloaded) case.
            storm = storm_events if streams in storm_counts and not any(
                run["streams"] == streams for run in fanout) else 0
            run = {"streams": streams, "rate": rate}
            for kind in ("gateway", "bare"):
                print(f"fan-out: {kind}, {streams} streams, {rate} events/s", file=sys.stderr)
                run[kind] = self.fanout_run(
                    kind, streams, rate, window, storm,
                    run["gateway"]["snapshot_events"] if kind == "bare" else 0)
                self.sim.check_alive()
            fanout.append(run)
        self.results["fanout"] = fanout
        batched = {}
        for streams in storm_counts:
            print(f"storm: gateway --max-batch {max_batch}, {streams} streams", file=sys.stderr)
            batched[streams] = self.batched_storm(streams, storm_events, max_batch)
        self.results["storm_batched"] = {"max_batch": max_batch, "runs": batched}
        print("ingest", file=sys.stderr)
        self.results["ingest"] = self.ingest(300 if quick else 4000, 4)
        print("control plane", file=sys.stderr)
        self.results["register"] = self.control_plane(20 if quick else 200)
        self.sim.check_alive()
        self.sim.stop()


DOC_BEGIN = "<!-- bench results: begin (scripts/bench.sh --update-doc) -->"
DOC_END = "<!-- bench results: end -->"


def ratio(a, b):
    return f"{a / b:.2f}x" if b else "-"


def fmt(value, unit=""):
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    else:
        text = str(value)
    return text + unit


def machine():
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}, load average at the "
            f"start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")


def table(results, command, started, elapsed):
    rows = []

    def row(figure, gateway, bare, g, b, better="lower"):
        rows.append(f"| {figure} | {gateway} | {bare} | {ratio(g, b)} |")

    fanout = results["fanout"]
    largest = max(run["streams"] for run in fanout)
    memory_shown = set()
    for run in fanout:
        streams = run["streams"]
        gw, bare = run["gateway"], run["bare"]
        gww, barew = gw["window"], bare["window"]
        label = f"fan-out {streams} stream{'s' if int(streams) > 1 else ''}, {run['rate']} ev/s"
        row(f"{label}: stream set-up (ms)", fmt(gw["setup_ms"]), fmt(bare["setup_ms"]),
            gw["setup_ms"], bare["setup_ms"])
        row(f"{label}: events/s delivered", fmt(gww["events_per_s"]),
            fmt(barew["events_per_s"]), gww["events_per_s"], barew["events_per_s"])
        gcpu = gww["server_cpu_s"] / gww["events"] * 1e6 if gww["events"] else 0
        bcpu = barew["server_cpu_s"] / barew["events"] * 1e6 if barew["events"] else 0
        row(f"{label}: server CPU per delivered event (us)", fmt(gcpu), fmt(bcpu), gcpu, bcpu)
        gcl = gww["client_cpu_s"] / gww["events"] * 1e6 if gww["events"] else 0
        bcl = barew["client_cpu_s"] / barew["events"] * 1e6 if barew["events"] else 0
        row(f"{label}: client CPU per delivered event (us, same machine)", fmt(gcl), fmt(bcl),
            gcl, bcl)
        row(f"{label}: message size (bytes)", fmt(gww["message_bytes"]),
            fmt(barew["message_bytes"]), gww["message_bytes"], barew["message_bytes"])
        for key, name in (("latency_received_us", "from received_time"),
                          ("latency_emission_us", "from emission")):
            g, b = gww[key], barew[key]
            row(f"{label}: latency {name} p50 / p99 / p99.9 (ms)",
                f"{g['p50'] / 1e3:.2f} / {g['p99'] / 1e3:.2f} / {g['p999'] / 1e3:.2f}",
                f"{b['p50'] / 1e3:.2f} / {b['p99'] / 1e3:.2f} / {b['p999'] / 1e3:.2f}",
                g["p99"], b["p99"])
        if (streams >= 1000 or streams == largest) and streams not in memory_shown:
            memory_shown.add(streams)
            row(f"memory: RSS per idle stream at {streams} streams (KiB)",
                fmt(gw["kib_per_stream"]), fmt(bare["kib_per_stream"]), gw["kib_per_stream"],
                bare["kib_per_stream"])
    batched = results["storm_batched"]
    for run in fanout:
        streams = run["streams"]
        if "storm" not in run["gateway"]:
            continue
        gs, bs = run["gateway"]["storm"], run["bare"]["storm"]
        label = f"storm of {gs['storm_events']} events to {streams} streams"
        key = "first_emission_to_last_arrival_ms"
        row(f"{label}: until the last stream has the last event (ms)", fmt(gs[key]),
            fmt(bs[key]), gs[key], bs[key])
        bt = batched["runs"].get(streams, batched["runs"].get(str(streams)))
        if bt:
            row(f"{label}, --max-batch {batched['max_batch']}: until the last stream has the "
                "last event (ms)", fmt(bt[key]), fmt(bs[key]), bt[key], bs[key])
            row(f"{label}, --max-batch {batched['max_batch']}: messages per event",
                fmt(bt["messages"] / max(1, bt["events"])),
                fmt(bs["messages"] / max(1, bs["events"])), bt["messages"] / max(1, bt["events"]),
                bs["messages"] / max(1, bs["events"]))
        row(f"{label}: CPU seconds, server / client (same machine)",
            f"{gs['server_cpu_s']:.1f} / {gs['client_cpu_s']:.1f}",
            f"{bs['server_cpu_s']:.1f} / {bs['client_cpu_s']:.1f}", gs["server_cpu_s"],
            bs["server_cpu_s"])
        g, b = gs["latency_emission_us"], bs["latency_emission_us"]
        row(f"{label}: latency from emission p50 / p99 (ms)",
            f"{g['p50'] / 1e3:.1f} / {g['p99'] / 1e3:.1f}",
            f"{b['p50'] / 1e3:.1f} / {b['p99'] / 1e3:.1f}", g["p99"], b["p99"])
    ingest = results["ingest"]
    gi, bi = ingest["gateway"], ingest["bare"]
    row(f"ingest: CRNP events/s ({gi['events']} events, {gi['bytes_per_event']} bytes each)",
        fmt(gi["events_per_s"]), fmt(bi["events_per_s"]), gi["events_per_s"],
        bi["events_per_s"])
    row("ingest: server CPU per event (us)", fmt(gi["cpu_per_event_us"]),
        fmt(bi["cpu_per_event_us"]), gi["cpu_per_event_us"], bi["cpu_per_event_us"])
    reg = results["register"]
    g, d = reg["gateway"]["round_trip_us"], reg["direct"]["round_trip_us"]
    row(f"control plane: Register round trip p50 / p99 (ms), {g['count']} calls",
        f"{g['p50'] / 1e3:.2f} / {g['p99'] / 1e3:.2f}",
        f"{d['p50'] / 1e3:.2f} / {d['p99'] / 1e3:.2f}", g["p99"], d["p99"])

    head = [
        f"- Command: `{command}`",
        f"- Machine: {machine()}",
        f"- Started {started} UTC, took {elapsed:.0f} s",
        "- Baselines: fan-out, storm and memory: `crnp-bench-bare-server` (bare gRPC callback "
        "server, pre-serialized messages of the same shape); ingest: `crnp-bench-bare-ingest` "
        "(Boost.Asio accept, read to EOF, close); control plane: the same CRNP registration "
        "exchange straight to the cluster (crnp-sim), without the gateway.",
        "- Ratio: gateway / baseline (for events/s higher is better, for everything else "
        "lower is better).",
        "",
        "| figure | gateway | baseline | ratio |",
        "|---|---|---|---|",
    ]
    return "\n".join(head + rows) + "\n\n" + goals(results)


def goals(results):
    """Issue 11's goals, each with the figures of this run it is judged on (no thresholds
    enforced: the run never fails on speed)."""
    fanout = results["fanout"]
    largest = max(run["streams"] for run in fanout)
    lines = ["Goals (issue 11), from this run:", "",
             "| goal | measured | met |", "|---|---|---|"]

    def goal(text, measured, met):
        lines.append(f"| {text} | {measured} | {'yes' if met else 'no'} |")

    big = next(run for run in fanout if run["streams"] == largest)
    storm_key = "first_emission_to_last_arrival_ms"
    runs = results["storm_batched"]["runs"]
    batched = runs.get(largest, runs.get(str(largest)))
    if batched and "storm" in big["bare"]:
        b = big["bare"]["storm"][storm_key]
        goal(f"batched storm to {largest} streams in at most half the baseline's time",
             f"{batched[storm_key]:.0f} ms vs {b:.0f} ms ({ratio(batched[storm_key], b)})",
             batched[storm_key] <= b / 2)
    mid = next((run for run in fanout if run["streams"] == 1000), big)
    g, b = mid["gateway"]["window"], mid["bare"]["window"]
    goal(f"p99 of single events unchanged (fan-out at {mid['streams']} streams, "
         f"{mid['rate']} events/s, vs the baseline)",
         f"{g['latency_received_us']['p99'] / 1e3:.1f} ms vs "
         f"{b['latency_received_us']['p99'] / 1e3:.1f} ms",
         g["latency_received_us"]["p99"] <= 1.1 * b["latency_received_us"]["p99"])
    ingest = results["ingest"]
    gi, bi = ingest["gateway"]["events_per_s"], ingest["bare"]["events_per_s"]
    goal("ingest at least 90% of the bare loop's events/s",
         f"{gi:.0f} vs {bi:.0f} ({ratio(gi, bi)})", gi >= 0.9 * bi)
    gaps = []
    for run in fanout:
        w = run["gateway"]["window"]
        gaps.append((f"{run['streams']} at {run['rate']}/s", (w["latency_emission_us"]["p99"] -
                                                              w["latency_received_us"]["p99"]) / 1e3))
    unloaded = gaps[0][1]
    goal("latency from emission and from received_time differ by at most the ingest time "
         "(p99 from emission minus p99 from received_time, per fan-out run; met when none "
         "exceeds twice the first run's, or 1 ms)",
         ", ".join(f"{n}: {gap:.2f} ms" for n, gap in gaps),
         max(gap for _, gap in gaps) <= max(1.0, 2 * unloaded))
    gs, bs = big["gateway"]["setup_ms"], big["bare"]["setup_ms"]
    goal(f"stream set-up at least as fast as the bare server ({largest} streams)",
         f"{gs:.0f} ms vs {bs:.0f} ms ({ratio(gs, bs)})", gs <= bs)
    gm, bm = big["gateway"]["kib_per_stream"], big["bare"]["kib_per_stream"]
    goal(f"memory per idle stream at or below the bare server's ({largest} streams; etcd "
         "publishes ~18 KB per watch stream, 17 KB per connection, 0.35 KB per watching)",
         f"{gm:.1f} KiB vs {bm:.1f} KiB ({ratio(gm, bm)})", gm <= bm)
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default="build", help="build directory (binaries in bin/)")
    parser.add_argument("--quick", action="store_true", help="small N, a few seconds, smoke test")
    parser.add_argument("--out", help="write the Markdown table here (and the raw JSON next to it)")
    parser.add_argument("--update-doc", metavar="MD",
                        help="also put the table into MD between the results markers "
                        f"({DOC_BEGIN} ... {DOC_END}), e.g. docs/benchmarks.md")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children inherit it
    command = "scripts/bench.sh" + (" --quick" if args.quick else "")
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    begin = time.monotonic()
    bench = Bench(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        bench.run()
    except BenchError as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        Proc.stop_all()
    text = table(bench.results, command, started, time.monotonic() - begin)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as out:
            out.write("# crnp-gateway end-to-end benchmarks\n\n" + text)
        with open(os.path.splitext(args.out)[0] + ".json", "w") as out:
            json.dump(bench.results, out, indent=1)
        print(f"bench: wrote {args.out}", file=sys.stderr)
    if args.update_doc:
        with open(args.update_doc) as doc:
            content = doc.read()
        begin, end = content.find(DOC_BEGIN), content.find(DOC_END)
        if begin < 0 or end < begin:
            print(f"bench: {args.update_doc} has no {DOC_BEGIN} ... {DOC_END}", file=sys.stderr)
            return 1
        with open(args.update_doc, "w") as doc:
            doc.write(content[:begin + len(DOC_BEGIN)] + "\n" + text + content[end:])
        print(f"bench: updated {args.update_doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
