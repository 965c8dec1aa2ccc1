package io.gatewayworker.bench.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The live heap of a JVM after a full GC, from {@code jcmd PID GC.class_histogram} (which collects
 * first): the total and the bytes and instances of each class. Two histograms, taken at two
 * connection counts, show what one connection costs and which classes hold it.
 *
 * <p>Stateless; runs {@code jcmd} of the JDK this runner runs on.
 */
final class Heap {

    private Heap() {
    }

    /** One class's live instances and bytes. */
    record Entry(String className, long instances, long bytes) {
    }

    /** A class histogram: the total live bytes and the entries by class name. */
    record Histogram(long totalBytes, long totalInstances, Map<String, Entry> classes) {

        /** Classes whose bytes grew most from {@code base} to this one, per {@code per} (connections). */
        List<Entry> growthPer(Histogram base, long per, int limit) {
            List<Entry> out = new ArrayList<>();
            for (Entry e : classes.values()) {
                Entry b = base.classes.get(e.className);
                long bytes = e.bytes - (b == null ? 0 : b.bytes);
                long instances = e.instances - (b == null ? 0 : b.instances);
                if (bytes > 0) {
                    out.add(new Entry(e.className, instances, bytes));
                }
            }
            out.sort(Comparator.comparingLong(Entry::bytes).reversed());
            return out.subList(0, Math.min(limit, out.size())).stream()
                    .map(e -> new Entry(e.className, e.instances, e.bytes / Math.max(1, per)))
                    .toList();
        }
    }

    /** Runs a full GC in {@code pid} and returns its class histogram. */
    static Histogram afterGc(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram did not finish within 120 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " GC.class_histogram failed (" + p.exitValue() + "): " + text.strip());
        }
        return parse(text);
    }

    /**
     * Parses the output of {@code GC.class_histogram}:
     * <pre>
     *  num     #instances         #bytes  class name (module)
     * -------------------------------------------------------
     *    1:         12345         987654  [B (java.base@25)
     * Total         99999        1234567
     * </pre>
     */
    static Histogram parse(String text) {
        Map<String, Entry> classes = new LinkedHashMap<>();
        long totalBytes = -1;
        long totalInstances = -1;
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                totalInstances = Long.parseLong(f[1]);
                totalBytes = Long.parseLong(f[2]);
            } else if (!t.isEmpty() && Character.isDigit(t.charAt(0)) && t.contains(":")) {
                String[] f = t.split("\\s+");
                if (f.length >= 4) {
                    String name = f[3];
                    classes.merge(name, new Entry(name, Long.parseLong(f[1]), Long.parseLong(f[2])),
                            (a, b) -> new Entry(name, a.instances + b.instances, a.bytes + b.bytes));
                }
            }
        }
        if (totalBytes < 0) {
            throw new IllegalStateException("no Total line in the class histogram: "
                    + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
        }
        return new Histogram(totalBytes, totalInstances, classes);
    }
}
