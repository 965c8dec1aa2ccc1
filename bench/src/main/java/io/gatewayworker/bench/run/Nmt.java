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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM's own account of its native memory ({@code jcmd PID VM.native_memory summary}), for a server
 * started with {@code -XX:NativeMemoryTracking=summary}: committed kilobytes by category (Java Heap,
 * Thread, Other for direct buffers, ...). Two summaries show which category an RSS growth comes from.
 * Stateless.
 */
final class Nmt {

    private static final Pattern CATEGORY = Pattern.compile("-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private Nmt() {
    }

    /** True when the options turn native memory tracking on. */
    static boolean enabled(List<String> javaOpts) {
        return javaOpts.stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking=") && !o.endsWith("=off"));
    }

    /** Committed KB by category. */
    static Map<String, Long> summary(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd VM.native_memory did not finish within 60 s");
        }
        return parse(new String(out, StandardCharsets.UTF_8));
    }

    static Map<String, Long> parse(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher m = CATEGORY.matcher(text);
        while (m.find()) {
            out.put(m.group(1).trim(), Long.parseLong(m.group(3)));
        }
        return out;
    }

    /** Categories whose committed memory grew most from {@code base} to {@code full}, in bytes per {@code per}. */
    static List<Map.Entry<String, Double>> growthPer(Map<String, Long> base, Map<String, Long> full, long per) {
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : full.entrySet()) {
            long grown = e.getValue() - base.getOrDefault(e.getKey(), 0L);
            if (grown != 0) {
                out.add(Map.entry(e.getKey(), grown * 1024.0 / Math.max(1, per)));
            }
        }
        out.sort(Comparator.comparingDouble((Map.Entry<String, Double> e) -> Math.abs(e.getValue())).reversed());
        return out;
    }
}
