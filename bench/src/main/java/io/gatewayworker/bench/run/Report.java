package io.gatewayworker.bench.run;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the outcome of a scenario: a table with one column per server, their ratio and the issue's
 * target where there is one; the notes; each server's CPU by thread group; and, last, one JSON line with
 * everything. Stateless.
 */
final class Report {

    private static final int LABEL = 42;
    private static final int COLUMN = 13;

    private Report() {
    }

    static void print(PrintStream out, Scenario scenario, Settings s, Map<String, Figures> results, int threadLines) {
        Figures host = results.get("host");
        Figures ceiling = results.get("ceiling");
        boolean both = host != null && ceiling != null;
        out.println();
        out.println(scenario.describe());
        out.println();
        StringBuilder header = new StringBuilder(pad("", LABEL));
        for (String t : results.keySet()) {
            header.append(left(t, COLUMN));
        }
        if (both) {
            header.append(left("host/ceiling", COLUMN)).append("  target");
        } else {
            header.append("  target");
        }
        out.println(header.toString().stripTrailing());
        for (Scenario.Row row : scenario.rows()) {
            StringBuilder line = new StringBuilder(pad(row.label(), LABEL));
            for (Figures f : results.values()) {
                line.append(left(format(f.values.get(row.key()), row.decimals()), COLUMN));
            }
            double ratio = Double.NaN;
            if (both) {
                ratio = host.number(row.key()) / ceiling.number(row.key());
                line.append(left(row.ratio() && Double.isFinite(ratio) ? format(ratio, 2) : "", COLUMN));
            }
            if (row.target() != null) {
                double tested = row.onRatio() ? ratio : (host != null ? host.number(row.key()) : Double.NaN);
                if (row.onRatio() && !both) {
                    line.append("  ").append(row.target()).append(" of the ceiling's");
                } else if (Double.isNaN(tested)) {
                    line.append("  ").append(row.target());
                } else {
                    line.append("  ").append(row.target()).append(row.met().test(tested) ? "  met" : "  MISSED");
                }
            }
            out.println(line.toString().stripTrailing());
        }
        for (Figures f : results.values()) {
            for (String note : f.notes) {
                out.println();
                out.println(wrap(f.target + ": " + note, 100));
            }
        }
        for (Figures f : results.values()) {
            if (!f.threads.isEmpty()) {
                out.println();
                out.println(f.target + ": server CPU by thread group over the measured window"
                        + " (user + kernel s, share, context switches):");
                double total = f.threads.values().stream().mapToDouble(v -> v[0] + v[1]).sum();
                int n = 0;
                for (Map.Entry<String, double[]> e : f.threads.entrySet()) {
                    if (n++ >= threadLines) {
                        break;
                    }
                    double[] v = e.getValue();
                    out.printf(Locale.ROOT, "  %-22s %3d thread(s)  %7.2f + %7.2f s  %5.1f %%  %,10d%n", e.getKey(),
                            (int) v[2], v[0], v[1], total > 0 ? 100 * (v[0] + v[1]) / total : 0, (long) v[3]);
                }
            }
            if (!f.nativeGrowth.isEmpty()) {
                out.println();
                out.println(f.target + ": JVM committed memory growth per connection from the base count, by NMT category:");
                f.nativeGrowth.forEach((k, v) -> out.printf(Locale.ROOT, "  %9.0f B  %s%n", v, k));
            }
            if (!f.heapClasses.isEmpty()) {
                out.println();
                out.println(f.target + ": live heap per connection, by class (largest growth):");
                for (Heap.Entry e : f.heapClasses) {
                    out.printf(Locale.ROOT, "  %7d B  %s%n", e.bytes(), e.className());
                }
            }
        }
        for (Figures f : results.values()) {
            if (f.profile != null) {
                out.println();
                try {
                    JfrProfile.read(f.profile).print(out, f.target, threadLines == Integer.MAX_VALUE ? 40 : 15);
                } catch (java.io.IOException | RuntimeException e) {
                    out.println(f.target + ": could not read " + f.profile + ": " + e);
                }
            }
        }
        out.println();
        out.println(Json.write(json(scenario, s, results)));
    }

    static Map<String, Object> json(Scenario scenario, Settings s, Map<String, Figures> results) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("scenario", scenario.name());
        j.put("parameters", scenario.parameters());
        j.put("cores", Runtime.getRuntime().availableProcessors());
        for (Figures f : results.values()) {
            j.put(f.target, f.values);
        }
        Figures host = results.get("host");
        Figures ceiling = results.get("ceiling");
        if (host != null && ceiling != null) {
            Map<String, Object> ratio = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : host.values.entrySet()) {
                double c = ceiling.number(e.getKey());
                double h = host.number(e.getKey());
                if (Double.isFinite(h) && Double.isFinite(c) && c != 0) {
                    ratio.put(e.getKey(), h / c);
                }
            }
            j.put("ratio", ratio);
        }
        Map<String, Object> targets = new LinkedHashMap<>();
        for (Scenario.Row row : scenario.rows()) {
            if (row.target() == null || host == null) {
                continue;
            }
            double tested = row.onRatio()
                    ? (ceiling == null ? Double.NaN : host.number(row.key()) / ceiling.number(row.key()))
                    : host.number(row.key());
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("target", row.target());
            t.put(row.onRatio() ? "ratio" : "value", tested);
            t.put("met", Double.isNaN(tested) ? null : row.met().test(tested));
            targets.put(row.key(), t);
        }
        j.put("targets", targets);
        Map<String, Object> notes = new LinkedHashMap<>();
        Map<String, Object> threads = new LinkedHashMap<>();
        for (Figures f : results.values()) {
            notes.put(f.target, f.notes);
            Map<String, Object> groups = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : f.threads.entrySet()) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("threads", (long) e.getValue()[2]);
                g.put("user", e.getValue()[0]);
                g.put("kernel", e.getValue()[1]);
                g.put("switches", (long) e.getValue()[3]);
                groups.put(e.getKey(), g);
            }
            threads.put(f.target, groups);
        }
        j.put("notes", notes);
        j.put("threads", threads);
        return j;
    }

    static String format(Object value, int decimals) {
        if (value == null) {
            return "-";
        }
        if (value instanceof String str) {
            return str;
        }
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", d);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private static String left(String s, int width) {
        return s.length() >= width ? " " + s : " ".repeat(width - s.length()) + s;
    }

    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + 1 + word.length() > width) {
                out.append("\n  ");
                col = 2;
            } else if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }

    static List<String> targetsOf(Scenario scenario) {
        return scenario.rows().stream().filter(r -> r.target() != null).map(Scenario.Row::label).toList();
    }
}
