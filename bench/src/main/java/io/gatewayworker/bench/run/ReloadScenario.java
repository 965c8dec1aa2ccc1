package io.gatewayworker.bench.run;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code reload}: the echo load, while the bench app is replaced {@code --reloads} times, one
 * {@code --reload-interval} apart, by atomically renaming the other build of the app (the plain jar and
 * the {@code reload} build, whose {@code Plugin-Version} differs) over {@code bench.jar} in the host's
 * plugins folder. A reload counts as seen when the host logs {@code App bench reloaded: OLD -> NEW in T
 * ms; dispatch paused P ms} (or {@code App bench NEW started}) after the swap. Latencies of answers that
 * arrive from the swap until one second after that line (or, when no line comes, for
 * {@code --reload-window} seconds) go to a separate histogram; the figure is the p99 added to the
 * steady p99. Losses are counted as in echo: every message must be answered.
 *
 * <p>The ceiling has no apps; it gets the same load and the same marked windows, with no swap: the
 * baseline.
 */
final class ReloadScenario extends EchoScenario {

    /**
     * The host's log line of a finished reload ({@code App bench reloaded: OLD -> NEW in T ms; dispatch
     * paused P ms}) or of a first start ({@code App bench NEW started}).
     */
    private static final Pattern STARTED = Pattern.compile(
            "App bench (?:reloaded: \\S+ -> (\\S+) in (\\d+) ms; dispatch paused (\\d+) ms|(\\S+) started)");

    /** The host's log line of a refused reload. */
    private static final Pattern REFUSED = Pattern.compile("Reload of bench refused[^\\n]*");

    ReloadScenario(Settings s) {
        super(s);
    }

    @Override
    String name() {
        return "reload";
    }

    @Override
    String describe() {
        return String.format("reload: %d clients in an echo loop; the bench app jar is swapped %d times, %s s apart"
                + " (%s s measured after %s s of warm-up)", s.clients, s.reloads, fmt(s.reloadInterval),
                fmt(s.reloads * s.reloadInterval), fmt(s.warmup));
    }

    @Override
    Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>(super.parameters());
        p.put("duration", s.reloads * s.reloadInterval);
        p.put("reloads", s.reloads);
        p.put("reloadInterval", s.reloadInterval);
        p.put("reloadWindow", s.reloadWindow);
        return p;
    }

    @Override
    List<Row> rows() {
        return concat(List.of(
                Row.of("clients connected", "clients", 0, false),
                Row.of("jar swaps", "swaps", 0, false),
                Row.of("reloads seen in the host log", "reloadsSeen", 0, false),
                Row.of("swap to new version serving (ms, max)", "reloadMaxMs", 0, false),
                Row.of("  reload, by the host (ms, max)", "hostReloadMaxMs", 0, false),
                Row.of("  dispatch paused, by the host (ms, max)", "dispatchPausedMaxMs", 0, false),
                Row.of("round trips/s", "roundTripsPerSec", 0, true),
                Row.of("steady latency p50 (ms)", "latencyP50Ms", 3, true),
                Row.of("steady latency p99 (ms)", "latencyP99Ms", 3, true),
                Row.of("latency p99 during reloads (ms)", "reloadP99Ms", 3, true),
                Row.of("latency max during reloads (ms)", "reloadMaxLatencyMs", 3, true),
                Row.valueTarget("added p99 during reloads (ms)", "addedP99Ms", 3, false, "<= 100 ms", v -> v <= 100),
                Row.valueTarget("lost messages", "lost", 0, false, "0", v -> v == 0),
                Row.of("timeouts/late/mismatched/duplicates", "errors", 0, false)),
                costRows(Row.of("server CPU per round trip (us)", "serverCpuPerOpUs", 2, true), "round trip"));
    }

    @Override
    double measuredSeconds() {
        return s.reloads * s.reloadInterval;
    }

    @Override
    void during(Run run, Figures f) throws Exception {
        boolean host = run.pluginsDir() != null;
        Path[] jars = host ? new Path[] {BenchApp.jar(s.root), BenchApp.reloadJar(s.root)} : null;
        String[] versions = host ? new String[] {BenchApp.version(jars[0]), BenchApp.version(jars[1])} : null;
        if (host && versions[0].equals(versions[1])) {
            throw new IllegalStateException("both builds of the bench app have Plugin-Version " + versions[0]);
        }
        long start = System.nanoTime();
        long interval = Math.round(s.reloadInterval * 1e9);
        int seen = 0;
        List<Long> reloadMillis = new ArrayList<>();
        List<Long> pausedMillis = new ArrayList<>();
        List<Long> hostMillis = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        for (int k = 0; k < s.reloads; k++) {
            sleepUntil(start + k * interval + interval / 2);
            run.all("mark on", "@ok", 30);
            long t0 = System.nanoTime();
            long windowEnd = t0 + Math.round(s.reloadWindow * 1e9);
            if (host) {
                Path jar = jars[(k + 1) % 2];
                String version = versions[(k + 1) % 2];
                long offset = run.server().log().toFile().length();
                BenchApp.install(jar, run.pluginsDir());
                progress("host: swapped bench.jar for " + jar.getFileName() + " (Plugin-Version " + version + ")");
                long deadline = start + (k + 1) * interval - 500_000_000L;
                Seen result = awaitStarted(run.server().log(), offset, version, deadline);
                if (result.atNanos() > 0) {
                    seen++;
                    reloadMillis.add((result.atNanos() - t0) / 1_000_000);
                    if (result.pausedMillis() >= 0) {
                        pausedMillis.add(result.pausedMillis());
                        hostMillis.add(result.reloadMillis());
                    }
                    windowEnd = Math.min(result.atNanos() + 1_000_000_000L, deadline);
                } else if (result.refusal() != null) {
                    refusals.add(result.refusal());
                }
            }
            sleepUntil(windowEnd);
            run.all("mark off", "@ok", 30);
        }
        sleepUntil(start + s.reloads * interval);
        f.put("swaps", host ? s.reloads : 0);
        f.put("reloadsSeen", seen);
        f.put("dispatchPausedMaxMs", max(pausedMillis));
        f.put("hostReloadMaxMs", max(hostMillis));
        for (String r : refusals) {
            f.note("the host refused a reload: " + r);
        }
        f.put("reloadMaxMs", max(reloadMillis));
        if (host && seen == 0) {
            f.note(String.format("host does not support reload yet: none of the %d atomic swaps of %s (builds %s and %s)"
                    + " was followed by an 'App bench reloaded: ... -> <version>' or 'App bench <version> started'"
                    + " line in the host log; the figures 'during"
                    + " reloads' are the echo load during the %s s after each swap, and losses are still counted",
                    s.reloads, BenchApp.INSTALLED_NAME, versions[0], versions[1], fmt(s.reloadWindow)));
        } else if (host && seen < s.reloads) {
            f.note(String.format("only %d of %d jar swaps were followed by a reload in the host log", seen, s.reloads));
        } else if (!host) {
            f.note("the ceiling has no apps to reload: the same load, with the same marked windows and no swap (the baseline)");
        }
    }

    @Override
    void after(Run run, Figures f, Merged m) {
        Map<String, Double> steady = Run.percentiles(m.latency);
        Map<String, Double> reload = Run.percentiles(m.marked);
        f.put("reloadP99Ms", reload.get("p99"));
        f.put("reloadMaxLatencyMs", reload.get("max"));
        f.put("reloadRoundTrips", m.get("markedOps"));
        double added = reload.get("p99") - steady.get("p99");
        if (Double.isNaN(added)) {
            f.note("no round trip finished inside the reload windows: the added latency is unknown (a miss)");
        }
        f.put("addedP99Ms", Double.isNaN(added) ? Double.NaN : Math.max(0, added));
        f.put("errors", m.get("timeouts") + "/" + m.get("late") + "/" + m.get("mismatched") + "/" + m.get("duplicates"));
    }

    /**
     * What the log showed after a swap.
     *
     * @param atNanos when the new version's line was seen ({@link System#nanoTime()}), 0 if never
     * @param reloadMillis how long the reload took by the host's account, -1 if it did not say
     * @param pausedMillis the dispatch pause the host reported, -1 if it did not say
     * @param refusal the host's refusal line, if it refused the new version
     */
    record Seen(long atNanos, long reloadMillis, long pausedMillis, String refusal) {
    }

    /**
     * Waits until the log, from {@code offset} on, says that {@code version} runs (reloaded or
     * started), or that the reload was refused, or the deadline passes.
     */
    static Seen awaitStarted(Path log, long offset, String version, long deadline)
            throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                long length = f.length();
                if (length > offset) {
                    byte[] bytes = new byte[(int) Math.min(length - offset, 16 << 20)];
                    f.seek(offset);
                    f.readFully(bytes);
                    String text = new String(bytes, StandardCharsets.UTF_8);
                    Matcher m = STARTED.matcher(text);
                    while (m.find()) {
                        if (version.equals(m.group(1))) {
                            return new Seen(System.nanoTime(), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), null);
                        }
                        if (version.equals(m.group(4))) {
                            return new Seen(System.nanoTime(), -1, -1, null);
                        }
                    }
                    Matcher r = REFUSED.matcher(text);
                    if (r.find()) {
                        return new Seen(0, -1, -1, r.group().trim());
                    }
                }
            }
            Thread.sleep(20);
        }
        return new Seen(0, -1, -1, null);
    }

    private static double max(List<Long> values) {
        return values.isEmpty() ? Double.NaN : (double) values.stream().mapToLong(Long::longValue).max().getAsLong();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
