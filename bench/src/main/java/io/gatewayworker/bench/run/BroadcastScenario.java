package io.gatewayworker.bench.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code broadcast}: {@code --receivers} connections, the first of which also sends {@code all:}
 * messages, keeping {@code --window} of them in flight (a broadcast is in flight until every receiver
 * has it). Measures deliveries per second, the delivery latency (send to each receipt) and the fan-out
 * completion time (send to the last receipt), the server's CPU per delivery; then checks that every
 * receiver got every broadcast, in order. All receivers live in one load process, so that the window
 * can be kept exactly (the 20,000 open files of one process are the bound).
 */
final class BroadcastScenario extends Scenario {

    BroadcastScenario(Settings s) {
        super(s);
    }

    @Override
    String name() {
        return "broadcast";
    }

    @Override
    String describe() {
        return String.format("broadcast: %d receivers (the sender among them), %d broadcasts in flight, %d-byte"
                + " messages, %s s measured after %s s of warm-up", s.receivers, s.window, s.size,
                EchoScenario.fmt(s.duration), EchoScenario.fmt(s.warmup));
    }

    @Override
    Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("receivers", s.receivers);
        p.put("window", s.window);
        p.put("size", s.size);
        p.put("warmup", s.warmup);
        p.put("duration", s.duration);
        p.put("loadThreads", s.loadThreads);
        p.put("ioThreads", s.ioThreads);
        p.put("ceilingBatching", s.ceilingBatching);
        return p;
    }

    @Override
    List<Row> rows() {
        return concat(List.of(
                Row.of("receivers connected", "receivers", 0, false),
                Row.of("deliveries/s", "deliveriesPerSec", 0, true),
                Row.of("broadcasts/s (completed)", "broadcastsPerSec", 1, true),
                Row.of("delivery latency p50 (ms)", "deliveryP50Ms", 3, true),
                Row.ratioTarget("delivery latency p99 (ms)", "deliveryP99Ms", 3, "<= 1.2x", r -> r <= 1.2),
                Row.of("delivery latency p99.9 (ms)", "deliveryP999Ms", 3, true),
                Row.of("fan-out complete p50 (ms)", "completeP50Ms", 3, true),
                Row.of("fan-out complete p99 (ms)", "completeP99Ms", 3, true)),
                costRows(Row.ratioTarget("server CPU per delivery (us)", "serverCpuPerOpUs", 2, "<= 1.1x",
                        r -> r <= 1.1), "delivery"),
                List.of(Row.valueTarget("undelivered", "undelivered", 0, false, "0", v -> v == 0),
                        Row.of("gaps / duplicates / timed-out broadcasts", "errors", 0, false)));
    }

    @Override
    Figures run(Run run) throws Exception {
        Figures f = new Figures(run.target());
        run.startLoads("broadcast", s.receivers);
        if (run.loadProcesses() != 1) {
            throw new IllegalStateException("broadcast keeps its receivers in one load process; --load-processes must be 1");
        }
        progress(run.target() + ": connecting " + s.receivers + " receivers");
        f.put("receivers", run.connect(s.receivers, f));
        run.all("start", "@started", 30);
        progress(run.target() + ": warming up for " + EchoScenario.fmt(s.warmup) + " s");
        sleepSeconds(s.warmup);
        run.profileStart();
        run.sendAll("measure");
        Run.Sample a = run.sample();
        run.awaitAll("@ok", 30);
        progress(run.target() + ": measuring for " + EchoScenario.fmt(s.duration) + " s");
        sleepSeconds(s.duration);
        run.sendAll("end");
        Run.Sample b = run.sample();
        run.awaitAll("@ok", 30);
        f.profile = run.profileStop();
        double drain = s.replyTimeout + 2;
        run.all("drain " + drain, "@drained", Math.round(drain) + 30);
        Merged m = Merged.of(run.all("report", "@result", 60));
        double window = (b.nanos() - a.nanos()) / 1e9;
        long deliveries = m.get("ops");
        f.put("deliveriesPerSec", deliveries / window);
        f.put("broadcastsPerSec", m.get("completed") / window);
        f.put("deliveries", deliveries);
        f.put("broadcastsSent", m.get("broadcasts"));
        f.put("windowSeconds", window);
        putPercentiles(f, "delivery", m.latency);
        putPercentiles(f, "complete", m.complete);
        run.cpuFigures(f, a, b, deliveries);
        f.put("undelivered", m.get("undelivered"));
        f.put("gaps", m.get("gaps"));
        f.put("duplicates", m.get("duplicates"));
        f.put("timedOutBroadcasts", m.get("timeouts"));
        f.put("closed", m.get("closed"));
        f.put("errors", m.get("gaps") + " / " + m.get("duplicates") + " / " + m.get("timeouts"));
        if (m.get("undelivered") > 0 || m.get("gaps") > 0 || m.get("duplicates") > 0 || m.get("closed") > 0) {
            f.note(String.format("%d deliveries missing (%d broadcasts not complete within %s s), %d gaps and %d"
                    + " duplicates in receivers' sequences, %d receiver(s) closed by the server", m.get("undelivered"),
                    m.get("timeouts"), EchoScenario.fmt(s.replyTimeout), m.get("gaps"), m.get("duplicates"), m.get("closed")));
        }
        return f;
    }
}
