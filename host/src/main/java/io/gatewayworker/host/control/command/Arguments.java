package io.gatewayworker.host.control.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one command line, read by its command's {@link Param}s: words separated by spaces,
 * options anywhere before the rest of the line ({@code --limit 5} or {@code --limit=5}), positionals in
 * order. A word that starts with '-' and names no option is refused when the command has options, and is
 * a positional word otherwise (so {@code broadcast -1} broadcasts "-1"). Immutable.
 */
public final class Arguments {

    private final List<Param> params;
    private final Map<String, String> values;

    private Arguments(List<Param> params, Map<String, String> values) {
        this.params = params;
        this.values = values;
    }

    /**
     * Reads {@code text} (the line after the command's name).
     *
     * @throws UsageException with one line on what does not fit
     */
    public static Arguments parse(List<Param> params, String text) {
        Map<String, String> values = new LinkedHashMap<>();
        List<Param> positionals = params.stream().filter(p -> !p.isOption()).toList();
        boolean hasOptions = positionals.size() < params.size();
        List<int[]> words = words(text);
        int next = 0;
        for (int i = 0; i < words.size(); i++) {
            String word = text.substring(words.get(i)[0], words.get(i)[1]);
            String name = word;
            String inline = null;
            int eq = word.indexOf('=');
            if (word.startsWith("--") && eq > 0) {
                name = word.substring(0, eq);
                inline = word.substring(eq + 1);
            }
            Param option = option(params, name);
            if (option != null && option.kind() == Param.Kind.FLAG && inline == null) {
                values.put(option.name(), "true");
                continue;
            }
            if (option != null && option.kind() == Param.Kind.OPTION) {
                if (inline == null) {
                    if (i + 1 >= words.size()) {
                        throw new UsageException("option " + option.name() + " needs a value (" + option.label() + ")");
                    }
                    i++;
                    inline = text.substring(words.get(i)[0], words.get(i)[1]);
                }
                values.put(option.name(), check(option, inline));
                continue;
            }
            if (hasOptions && word.startsWith("-") && word.length() > 1) {
                throw new UsageException("unknown option '" + word + "'");
            }
            if (next >= positionals.size()) {
                throw new UsageException("unexpected argument '" + word + "'");
            }
            Param positional = positionals.get(next++);
            if (positional.kind() == Param.Kind.REST) {
                values.put(positional.name(), text.substring(words.get(i)[0]).strip());
                break;
            }
            values.put(positional.name(), check(positional, word));
        }
        for (Param p : positionals) {
            if (p.required() && !values.containsKey(p.name())) {
                throw new UsageException("missing " + p.name());
            }
        }
        return new Arguments(params, values);
    }

    /** Start and end of each word (a run of non-blanks) of {@code text}. */
    private static List<int[]> words(String text) {
        List<int[]> words = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(new int[] {start, i});
            }
        }
        return words;
    }

    /** The option named {@code word}, or null. */
    static Param option(List<Param> params, String word) {
        for (Param p : params) {
            if (p.isOption() && p.name().equals(word)) {
                return p;
            }
        }
        return null;
    }

    private static String check(Param p, String value) {
        if (!p.number()) {
            return value;
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            n = Long.MIN_VALUE;
        }
        if (n < p.min()) {
            throw new UsageException(p.name() + ": '" + value + "' (expected: a whole number, at least " + p.min() + ")");
        }
        return value;
    }

    /** Whether the flag {@code name} ("-g") was given. */
    public boolean flag(String name) {
        return values.containsKey(name);
    }

    /** The value of an option ("--uid") or positional ("CLIENT"): as given, else its default, else null. */
    public String get(String name) {
        String value = values.get(name);
        if (value != null) {
            return value;
        }
        for (Param p : params) {
            if (p.name().equals(name)) {
                return p.defaultValue();
            }
        }
        throw new IllegalArgumentException("no parameter '" + name + "' (expected: one of "
                + params.stream().map(Param::name).toList() + ")");
    }

    /** The value of a {@link Param#number} parameter; its default when not given. */
    public long number(String name) {
        return Long.parseLong(get(name));
    }

    /**
     * The arguments as one line of words, options first, that {@link #parse} reads back to the same
     * values: what the command line sends to the control endpoint.
     */
    public String line() {
        List<String> words = new ArrayList<>();
        for (Param p : params) {
            if (p.isOption() && values.containsKey(p.name())) {
                words.add(p.kind() == Param.Kind.FLAG ? p.name() : p.name() + " " + values.get(p.name()));
            }
        }
        for (Param p : params) {
            if (!p.isOption() && values.containsKey(p.name())) {
                words.add(values.get(p.name()));
            }
        }
        return String.join(" ", words);
    }
}
