package io.gatewayworker.bench.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code echo}: {@code --clients} connections in a closed loop, each with one {@code echo:} message in
 * flight. After {@code --warmup} seconds it measures for {@code --duration}: round trips per second,
 * round-trip latency, the server's CPU per round trip (user and kernel), the load generator's CPU. Then
 * it stops sending and waits for the answers still out: any missing one is lost.
 */
class EchoScenario extends Scenario {

    EchoScenario(Settings s) {
        super(s);
    }

    @Override
    String name() {
        return "echo";
    }

    @Override
    String describe() {
        return String.format("echo: %d clients in a closed loop, %d-byte messages, %s s measured after %s s of warm-up",
                s.clients, s.size, fmt(s.duration), fmt(s.warmup));
    }

    @Override
    Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("clients", s.clients);
        p.put("size", s.size);
        p.put("warmup", s.warmup);
        p.put("duration", s.duration);
        p.put("loadThreads", s.loadThreads);
        p.put("ioThreads", s.ioThreads);
        return p;
    }

    @Override
    List<Row> rows() {
        return concat(List.of(
                Row.of("clients connected", "clients", 0, false),
                Row.ratioTarget("round trips/s", "roundTripsPerSec", 0, ">= 0.8x", r -> r >= 0.8),
                Row.of("latency p50 (ms)", "latencyP50Ms", 3, true),
                Row.ratioTarget("latency p99 (ms)", "latencyP99Ms", 3, "<= 1.5x", r -> r <= 1.5),
                Row.of("latency p99.9 (ms)", "latencyP999Ms", 3, true),
                Row.of("latency max (ms)", "latencyMaxMs", 3, true)),
                costRows(Row.ratioTarget("server CPU per round trip (us)", "serverCpuPerOpUs", 2, "<= 1.25x",
                        r -> r <= 1.25), "round trip"),
                List.of(Row.valueTarget("lost messages", "lost", 0, false, "0", v -> v == 0),
                        Row.of("timeouts/late/mismatched/duplicates", "errors", 0, false)));
    }

    @Override
    Figures run(Run run) throws Exception {
        Figures f = new Figures(run.target());
        run.startLoads("echo", s.clients);
        progress(run.target() + ": connecting " + s.clients + " clients");
        f.put("clients", run.connect(s.clients, f));
        run.all("start", "@started", 30);
        progress(run.target() + ": warming up for " + fmt(s.warmup) + " s");
        sleepSeconds(s.warmup);
        run.profileStart();
        run.sendAll("measure");
        Run.Sample a = run.sample();
        run.awaitAll("@ok", 30);
        progress(run.target() + ": measuring for " + fmt(measuredSeconds()) + " s");
        during(run, f);
        run.sendAll("end");
        Run.Sample b = run.sample();
        run.awaitAll("@ok", 30);
        f.profile = run.profileStop();
        double drain = s.replyTimeout + 2;
        run.all("drain " + drain, "@drained", Math.round(drain) + 30);
        Merged m = Merged.of(run.all("report", "@result", 60));
        double window = (b.nanos() - a.nanos()) / 1e9;
        long ops = m.get("ops");
        f.put("roundTripsPerSec", ops / window);
        f.put("roundTrips", ops);
        f.put("windowSeconds", window);
        putPercentiles(f, "latency", m.latency);
        run.cpuFigures(f, a, b, ops);
        long lost = m.get("outstanding") + Math.max(0, m.get("timeouts") - m.get("late"));
        f.put("lost", lost);
        f.put("timeouts", m.get("timeouts"));
        f.put("late", m.get("late"));
        f.put("mismatched", m.get("mismatched"));
        f.put("closed", m.get("closed"));
        f.put("errors", m.get("timeouts") + "/" + m.get("late") + "/" + m.get("mismatched") + "/" + m.get("duplicates"));
        f.put("duplicates", m.get("duplicates"));
        if (lost > 0 || m.get("mismatched") > 0 || m.get("duplicates") > 0 || m.get("closed") > 0) {
            f.note(String.format("%d message(s) lost (%d timed out, %d of those answered late, %d unanswered at the end),"
                    + " %d unexpected answer(s), %d duplicated answer(s), %d connection(s) closed by the server", lost,
                    m.get("timeouts"), m.get("late"), m.get("outstanding"), m.get("mismatched"), m.get("duplicates"),
                    m.get("closed")));
        }
        after(run, f, m);
        return f;
    }

    /** Length of the measured window in seconds. */
    double measuredSeconds() {
        return s.duration;
    }

    /** The measured window: sleeps {@code --duration}; the reload scenario swaps jars meanwhile. */
    void during(Run run, Figures f) throws Exception {
        sleepSeconds(s.duration);
    }

    /** Extra figures from the merged results. */
    void after(Run run, Figures f, Merged m) {
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
