package io.gatewayworker.bench.run;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import org.HdrHistogram.Histogram;

/**
 * One benchmark scenario: what it runs against a server ({@link #run}), how it describes itself, and
 * the rows of its table, each with the target where there is one. Subclasses run on the
 * runner's main thread.
 */
abstract class Scenario {

    protected final Settings s;

    Scenario(Settings s) {
        this.s = s;
    }

    static Scenario of(Settings s) {
        return switch (s.scenario) {
            case "echo" -> new EchoScenario(s);
            case "reload" -> new ReloadScenario(s);
            case "broadcast" -> new BroadcastScenario(s);
            case "connect" -> new ConnectScenario(s);
            default -> throw new IllegalArgumentException("SCENARIO: '" + s.scenario + "'");
        };
    }

    abstract String name();

    /** One line: what runs, with its parameters. */
    abstract String describe();

    abstract List<Row> rows();

    /** The parameters for the JSON line. */
    abstract Map<String, Object> parameters();

    /** Runs the scenario against the server of {@code run}. */
    abstract Figures run(Run run) throws Exception;

    /**
     * The rows every load scenario shows: {@code cpu}, its row of server CPU per operation (with the
     * scenario's target, if it has one), then how that CPU splits, and what the load generator and the
     * rest of the machine did. {@code perOp} names the operation ("round trip").
     */
    static List<Row> costRows(Row cpu, String perOp) {
        return List.of(cpu,
                Row.of("  user (us)", "serverUserPerOpUs", 2, true),
                Row.of("  kernel (us)", "serverKernelPerOpUs", 2, true),
                Row.of("server kernel share (%)", "serverKernelShare", 1, false),
                Row.of("server context switches per " + perOp, "serverSwitchesPerOp", 2, true),
                Row.of("server cores busy", "serverCores", 2, true),
                Row.of("load generator cores busy", "loadCores", 2, true),
                Row.of("load generator CPU per " + perOp + " (us)", "loadCpuPerOpUs", 2, true),
                Row.of("machine idle (%)", "machineIdle", 1, false),
                Row.of("soft interrupts (cores)", "softirqCores", 2, false),
                Row.of("other processes (cores)", "otherCores", 2, false),
                Row.of("server RSS (MB)", "serverRssMb", 0, true));
    }

    /** {@code lists} one after the other. */
    @SafeVarargs
    static List<Row> concat(List<Row>... lists) {
        return Arrays.stream(lists).flatMap(List::stream).toList();
    }

    /**
     * A row of the table.
     *
     * @param label what it is, with its unit
     * @param key the figure's key
     * @param decimals digits after the point
     * @param ratio whether host/ceiling is worth showing
     * @param target the target in words ("<= 1.25x"), or null
     * @param met whether a value meets it (the ratio when {@code onRatio}, else the host's value)
     * @param onRatio whether {@code met} tests the ratio
     */
    record Row(String label, String key, int decimals, boolean ratio, String target, DoublePredicate met, boolean onRatio) {

        static Row of(String label, String key, int decimals, boolean ratio) {
            return new Row(label, key, decimals, ratio, null, null, false);
        }

        static Row ratioTarget(String label, String key, int decimals, String target, DoublePredicate met) {
            return new Row(label, key, decimals, true, target, met, true);
        }

        static Row valueTarget(String label, String key, int decimals, boolean ratio, String target, DoublePredicate met) {
            return new Row(label, key, decimals, ratio, target, met, false);
        }
    }

    /** The sum of the load processes' {@code @result} answers, histograms merged. */
    static final class Merged {
        final Histogram latency = newHistogram();
        final Histogram marked = newHistogram();
        final Histogram complete = newHistogram();
        final Map<String, Long> counts = new java.util.HashMap<>();

        static Merged of(List<Map<String, String>> results) {
            Merged m = new Merged();
            for (Map<String, String> r : results) {
                for (Map.Entry<String, String> e : r.entrySet()) {
                    switch (e.getKey()) {
                        case "latency" -> m.latency.add(decode(e.getValue()));
                        case "marked" -> m.marked.add(decode(e.getValue()));
                        case "complete" -> m.complete.add(decode(e.getValue()));
                        case "mode" -> { }
                        default -> m.counts.merge(e.getKey(), Long.parseLong(e.getValue()), Long::sum);
                    }
                }
            }
            return m;
        }

        long get(String key) {
            return counts.getOrDefault(key, 0L);
        }

        private static Histogram decode(String base64) {
            try {
                return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
            } catch (java.util.zip.DataFormatException e) {
                throw new IllegalStateException("a load process sent a histogram that does not decode", e);
            }
        }

        private static Histogram newHistogram() {
            return new Histogram(1_000L, 60_000_000_000L, 3);
        }
    }

    /** Puts p50, p99, p99.9 and max of {@code h} in milliseconds under {@code prefix + "P50Ms"} etc. */
    static void putPercentiles(Figures f, String prefix, Histogram h) {
        Map<String, Double> p = Run.percentiles(h);
        f.put(prefix + "P50Ms", p.get("p50"));
        f.put(prefix + "P99Ms", p.get("p99"));
        f.put(prefix + "P999Ms", p.get("p999"));
        f.put(prefix + "MaxMs", p.get("max"));
    }

    static void sleepSeconds(double seconds) throws InterruptedException {
        long millis = Math.round(seconds * 1000);
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    static void progress(String text) {
        System.err.println("bench: " + text);
    }
}
