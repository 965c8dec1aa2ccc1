package io.gatewayworker.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value}, {@code --name=value} or {@code --flag}, read
 * with typed getters that check the value and name it in the error: {@code "--clients: 0 (expected: > 0)"}.
 * An option that is given but never read is reported as unknown by {@link #checkAllUsed()}.
 *
 * <p>Not thread-safe; used by one thread while a program starts.
 */
public final class Options {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> flags;
    private final Set<String> used = new java.util.HashSet<>();

    /**
     * Parses {@code args}.
     *
     * @param flags the options that take no value
     * @throws IllegalArgumentException when an option that needs a value has none
     */
    public Options(String[] args, Set<String> flags) {
        this.flags = flags;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                values.put(arg.substring(0, eq), arg.substring(eq + 1));
            } else if (flags.contains(arg)) {
                values.put(arg, "true");
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + ": needs a value");
                }
                values.put(arg, args[++i]);
            }
        }
    }

    /** The arguments that are not options, in order. */
    public List<String> positional() {
        return positional;
    }

    public boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    public boolean flag(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            return false;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: true or false)");
        }
        return Boolean.parseBoolean(v);
    }

    public String string(String name, String defaultValue) {
        used.add(name);
        return values.getOrDefault(name, defaultValue);
    }

    /** An integer in {@code [min, max]}. */
    public int integer(String name, int defaultValue, int min, int max) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: a whole number)");
        }
        check(name, n, min, max);
        return (int) n;
    }

    /** A number of seconds in {@code [min, max]}, with an optional unit: {@code 15}, {@code 15s}, {@code 500ms}, {@code 2m}. */
    public double seconds(String name, double defaultValue, double min, double max) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        double s;
        try {
            if (v.endsWith("ms")) {
                s = Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
            } else if (v.endsWith("s")) {
                s = Double.parseDouble(v.substring(0, v.length() - 1));
            } else if (v.endsWith("m")) {
                s = Double.parseDouble(v.substring(0, v.length() - 1)) * 60;
            } else {
                s = Double.parseDouble(v);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: seconds, such as 15, 15s, 500ms or 2m)");
        }
        if (!(s >= min && s <= max)) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: " + fmt(min) + " to " + fmt(max) + " seconds)");
        }
        return s;
    }

    /** One of {@code choices}. */
    public String choice(String name, String defaultValue, String... choices) {
        used.add(name);
        String v = values.getOrDefault(name, defaultValue);
        for (String c : choices) {
            if (c.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException(name + ": '" + v + "' (expected: one of " + String.join(", ", choices) + ")");
    }

    /**
     * A loopback IPv4 address (in 127.0.0.0/8): the benchmark never sends traffic anywhere else.
     */
    public InetAddress loopback(String name, String defaultValue) {
        return loopbackAddress(name, string(name, defaultValue));
    }

    /**
     * A list of loopback IPv4 addresses: comma-separated addresses or ranges {@code 127.0.1.1-127.0.1.8}
     * (a range varies the last byte).
     */
    public List<InetAddress> loopbackList(String name, String defaultValue) {
        String v = string(name, defaultValue);
        List<InetAddress> out = new ArrayList<>();
        for (String part : v.split(",")) {
            part = part.trim();
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                out.add(loopbackAddress(name, part));
                continue;
            }
            byte[] from = loopbackAddress(name, part.substring(0, dash)).getAddress();
            byte[] to = loopbackAddress(name, part.substring(dash + 1)).getAddress();
            if (from[0] != to[0] || from[1] != to[1] || from[2] != to[2] || (to[3] & 0xFF) < (from[3] & 0xFF)) {
                throw new IllegalArgumentException(name + ": '" + part
                        + "' (expected: a range that varies only the last byte, low to high, such as 127.0.1.1-127.0.1.8)");
            }
            for (int b = from[3] & 0xFF; b <= (to[3] & 0xFF); b++) {
                try {
                    out.add(InetAddress.getByAddress(new byte[] {from[0], from[1], from[2], (byte) b}));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: at least one address in 127.0.0.0/8)");
        }
        return out;
    }

    /** Throws for an option that no getter read: a typo, or one that this command does not take. */
    public void checkAllUsed() {
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new IllegalArgumentException(name + ": unknown option here (see --help)");
            }
        }
    }

    private static InetAddress loopbackAddress(String name, String text) {
        String[] parts = text.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException(name + ": '" + text + "' (expected: an IPv4 address in 127.0.0.0/8)");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int n;
            try {
                n = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > 255) {
                throw new IllegalArgumentException(name + ": '" + text + "' (expected: an IPv4 address in 127.0.0.0/8)");
            }
            b[i] = (byte) n;
        }
        if (b[0] != 127) {
            throw new IllegalArgumentException(name + ": '" + text
                    + "' (expected: an address in 127.0.0.0/8; the benchmark sends traffic only over loopback)");
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(String name, long n, long min, long max) {
        if (n < min) {
            throw new IllegalArgumentException(name + ": " + n + " (expected: " + (min == 1 ? "> 0" : ">= " + min) + ")");
        }
        if (n > max) {
            throw new IllegalArgumentException(name + ": " + n + " (expected: <= " + max + ")");
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
