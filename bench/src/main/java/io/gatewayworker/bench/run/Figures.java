package io.gatewayworker.bench.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scenario measured on one server: named figures (numbers, in the order they were put), notes
 * for the reader (a client-bound run, losses, a reload that did not happen), and the server's CPU by
 * thread group. Not thread-safe; filled by the scenario thread.
 */
final class Figures {

    final String target;
    final Map<String, Object> values = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    /** Server CPU seconds by thread group over the measured window, largest first. */
    final Map<String, double[]> threads = new LinkedHashMap<>();
    /** Connect scenario: classes that grew most, bytes and instances per connection. */
    final List<Heap.Entry> heapClasses = new ArrayList<>();

    /** Connect scenario with native memory tracking: committed bytes per connection by NMT category. */
    final Map<String, Double> nativeGrowth = new LinkedHashMap<>();
    /** The JFR recording of the measured window, with {@code --jfr}; null otherwise. */
    java.nio.file.Path profile;

    Figures(String target) {
        this.target = target;
    }

    Figures put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** The figure as a double; NaN when it is missing or not a number. */
    double number(String key) {
        return values.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    void note(String text) {
        notes.add(text);
    }
}
