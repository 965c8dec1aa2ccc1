package io.gatewayworker.bench.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code connect}: how much an idle WebSocket connection costs the server. In a fresh server it takes
 * the live heap after a full GC with no client, opens {@code --base} connections and takes the RSS,
 * opens the rest up to {@code --connections} (timing the handshakes and the server's CPU per handshake),
 * holds them idle for {@code --hold} seconds (the server's CPU meanwhile), then takes the RSS again and
 * the live heap after a full GC. Per connection: heap after GC (N minus none, over N), RSS growth (N
 * minus base, over N minus base: the one-time warm-up of the first connections stays out). Also lists the
 * classes that grew most per connection. Connections are spread over as many load processes as the
 * per-process open-file limit requires, from several source addresses in 127.0.0.0/8.
 */
final class ConnectScenario extends Scenario {

    ConnectScenario(Settings s) {
        super(s);
    }

    @Override
    String name() {
        return "connect";
    }

    @Override
    String describe() {
        return String.format("connect: %d idle connections (RSS growth from %d), held %s s", s.connections, s.base,
                EchoScenario.fmt(s.hold));
    }

    @Override
    Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connections", s.connections);
        p.put("base", s.base);
        p.put("hold", s.hold);
        p.put("perProcess", s.perProcess);
        p.put("sourceAddresses", s.sourceAddresses);
        return p;
    }

    @Override
    List<Row> rows() {
        return List.of(
                Row.of("connections open at the end", "connections", 0, false),
                Row.of("load processes", "loadProcesses", 0, false),
                Row.of("handshakes/s (after the base)", "handshakesPerSec", 0, true),
                Row.of("server CPU per handshake (us)", "serverCpuPerOpUs", 1, true),
                Row.of("load generator CPU per handshake (us)", "loadCpuPerOpUs", 1, true),
                Row.of("load generator cores busy (handshakes)", "loadCores", 2, true),
                Row.of("heap after GC, no clients (MB)", "heapEmptyMb", 1, true),
                Row.of("heap after GC, all clients (MB)", "heapFullMb", 1, true),
                Row.ratioTarget("heap per connection (bytes)", "heapPerConnBytes", 0, "<= 1.5x", r -> r <= 1.5),
                Row.of("RSS, no clients (MB)", "rssEmptyMb", 1, true),
                Row.of("RSS at the base count (MB)", "rssBaseMb", 1, true),
                Row.of("RSS, all clients (MB)", "rssFullMb", 1, true),
                Row.valueTarget("RSS growth per connection (KiB)", "rssGrowthPerConnKiB", 2, true, "<= 3 KiB", v -> v <= 3),
                Row.of("  of which anonymous memory (KiB)", "rssAnonGrowthPerConnKiB", 2, true),
                Row.of("RSS per connection from none (KiB)", "rssPerConnKiB", 2, true),
                Row.of("server cores busy while idle", "idleServerCores", 3, false),
                Row.of("closed during the hold", "closed", 0, false));
    }

    @Override
    Figures run(Run run) throws Exception {
        Figures f = new Figures(run.target());
        long pid = run.serverPid();
        Thread.sleep(1000);
        long rssEmpty = ProcStat.rss(pid);
        Heap.Histogram empty = Heap.afterGc(pid);
        f.put("heapEmptyMb", empty.totalBytes() / 1048576.0);
        f.put("rssEmptyMb", rssEmpty / 1048576.0);

        run.startLoads("idle", s.connections);
        f.put("loadProcesses", run.loadProcesses());
        int base = 0;
        if (s.base > 0) {
            progress(run.target() + ": opening the first " + s.base + " connections");
            base = run.connect(s.base, f);
            Thread.sleep(2000);
        }
        long rssBase = ProcStat.rss(pid);
        long anonBase = ProcStat.rssAnon(pid);
        f.put("rssBaseMb", rssBase / 1048576.0);
        Map<String, Long> nmtBase = Nmt.enabled(s.serverJavaOpts) ? Nmt.summary(pid) : null;

        int rest = s.connections - s.base;
        progress(run.target() + ": opening " + rest + " more connections over " + run.loadProcesses() + " load process(es)");
        run.profileStart();
        Run.Sample a = run.sample();
        int opened = rest > 0 ? run.connect(rest, f) : 0;
        Run.Sample b = run.sample();
        f.profile = run.profileStop();
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        f.put("handshakesPerSec", opened / seconds);
        run.cpuFigures(f, a, b, opened);
        f.values.remove("serverRssMb");
        f.notes.removeIf(n -> n.startsWith("client-bound") || n.startsWith("machine-bound"));

        Thread.sleep(2000);
        progress(run.target() + ": holding " + (base + opened) + " idle connections for " + EchoScenario.fmt(s.hold) + " s");
        Run.Sample c = run.sample();
        Scenario.sleepSeconds(s.hold);
        Run.Sample d = run.sample();
        f.put("idleServerCores", d.server().since(c.server()).cores());
        List<Map<String, String>> status = run.all("status", "@status", 30);
        long open = 0;
        long closed = 0;
        for (Map<String, String> st : status) {
            open += Long.parseLong(st.get("open"));
            closed += Long.parseLong(st.get("closed"));
        }
        f.put("connections", open);
        f.put("closed", closed);
        long rssFull = ProcStat.rss(pid);
        long anonFull = ProcStat.rssAnon(pid);
        if (nmtBase != null) {
            for (Map.Entry<String, Double> e : Nmt.growthPer(nmtBase, Nmt.summary(pid), Math.max(1, open - base))) {
                f.nativeGrowth.put(e.getKey(), e.getValue());
            }
        }
        Heap.Histogram full = Heap.afterGc(pid);
        long rssAfterGc = ProcStat.rss(pid);
        f.put("heapFullMb", full.totalBytes() / 1048576.0);
        f.put("heapPerConnBytes", open > 0 ? (double) (full.totalBytes() - empty.totalBytes()) / open : Double.NaN);
        f.put("rssFullMb", rssFull / 1048576.0);
        f.put("rssFullAfterGcMb", rssAfterGc / 1048576.0);
        f.put("rssPeakMb", ProcStat.peakRss(pid) / 1048576.0);
        long grown = open - base;
        f.put("rssGrowthPerConnKiB", grown > 0 ? (rssFull - rssBase) / 1024.0 / grown : Double.NaN);
        f.put("rssAnonGrowthPerConnKiB", grown > 0 ? (anonFull - anonBase) / 1024.0 / grown : Double.NaN);
        f.put("rssPerConnKiB", open > 0 ? (rssFull - rssEmpty) / 1024.0 / open : Double.NaN);
        f.heapClasses.addAll(full.growthPer(empty, Math.max(1, open), 25));
        if (closed > 0) {
            f.note(closed + " connection(s) were closed by the server while idle");
        }
        if (open < s.connections) {
            f.note("only " + open + " of " + s.connections + " connections were open at the end");
        }
        return f;
    }
}
