package io.gatewayworker.bench.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A CPU profile from a JFR recording: where the server's threads spent their CPU time, by thread group,
 * by method on top of the stack (self) and by method anywhere on the stack (inclusive), the latter also
 * restricted to the project's own classes. It uses {@code jdk.CPUTimeSample} (JDK 25's CPU-time sampler,
 * which also sees time spent in system calls, each sample weighted by its sampling period) when the
 * recording has it, and {@code jdk.ExecutionSample} plus {@code jdk.NativeMethodSample} otherwise.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.gatewayworker.bench.run.JfrProfile FILE.jfr [--top N]
 * </pre>
 *
 * Stateless; reads the file on the calling thread.
 */
public final class JfrProfile {

    /** The project's own classes, for the inclusive view of what the host does. */
    static final String OWN = "io.gatewayworker.";

    private final Map<String, Double> threads = new HashMap<>();
    private final Map<String, Double> self = new HashMap<>();
    private final Map<String, Double> inclusive = new HashMap<>();
    private final Map<String, Map<String, Double>> selfByThread = new HashMap<>();
    private double total;
    private long samples;
    private String source = "";

    private JfrProfile() {
    }

    /** Reads {@code jfr} and aggregates its samples. */
    static JfrProfile read(Path jfr) throws IOException {
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        boolean cpuTime = events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.CPUTimeSample"));
        JfrProfile p = new JfrProfile();
        p.source = cpuTime ? "jdk.CPUTimeSample" : "jdk.ExecutionSample + jdk.NativeMethodSample";
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            double weight;
            RecordedThread thread;
            if (cpuTime) {
                if (!type.equals("jdk.CPUTimeSample")) {
                    continue;
                }
                Duration period = e.hasField("samplingPeriod") ? e.getDuration("samplingPeriod") : Duration.ofMillis(1);
                weight = Math.max(1, period.toNanos()) / 1e6;
                thread = e.getThread("eventThread");
            } else {
                if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                    continue;
                }
                weight = 1;
                thread = e.getThread("sampledThread");
            }
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            p.add(threadGroup(thread), stack.getFrames(), weight);
        }
        return p;
    }

    private void add(String thread, List<RecordedFrame> frames, double weight) {
        samples++;
        total += weight;
        threads.merge(thread, weight, Double::sum);
        self.merge(name(frames.get(0)), weight, Double::sum);
        selfByThread.computeIfAbsent(thread, k -> new HashMap<>()).merge(name(frames.get(0)), weight, Double::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (seen.add(n)) {
                inclusive.merge(n, weight, Double::sum);
            }
        }
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String threadGroup(RecordedThread t) {
        if (t == null) {
            return "?";
        }
        String name = t.getJavaName() != null && !t.getJavaName().isEmpty() ? t.getJavaName() : t.getOSName();
        if (name == null || name.isEmpty()) {
            name = t.isVirtual() ? "(virtual)" : "?";
        }
        if (t.isVirtual()) {
            name = "virtual:" + name;
        }
        return name.replaceAll("[0-9]+", "#");
    }

    /** Prints the profile: thread groups, top self methods, top inclusive methods of the project. */
    void print(PrintStream out, String title, int top) {
        out.printf(Locale.ROOT, "%s: CPU profile from JFR (%d samples of %s, %.0f ms of CPU)%n", title, samples, source, total);
        section(out, "  by thread group", threads, top);
        section(out, "  self (method on top of the stack)", self, top);
        Map<String, Double> own = new HashMap<>();
        inclusive.forEach((k, v) -> {
            if (k.startsWith(OWN)) {
                own.put(k, v);
            }
        });
        section(out, "  inclusive, " + OWN + "* (method anywhere on the stack)", own, top);
        threads.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> e.getValue()).reversed())
                .limit(4)
                .forEach(t -> section(out, "  self on " + t.getKey() + " (share of all samples)",
                        selfByThread.get(t.getKey()), Math.max(5, top / 3)));
    }

    private void section(PrintStream out, String heading, Map<String, Double> values, int top) {
        out.println(heading + ":");
        values.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> e.getValue()).reversed())
                .limit(top)
                .forEach(e -> out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100 * e.getValue() / Math.max(1e-9, total), e.getKey()));
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || args[0].startsWith("--")) {
            System.err.println("Usage: JfrProfile FILE.jfr [--top N]");
            System.exit(2);
        }
        int top = 25;
        if (args.length >= 3 && args[1].equals("--top")) {
            top = Integer.parseInt(args[2]);
        }
        read(Path.of(args[0])).print(System.out, args[0], top);
    }
}
