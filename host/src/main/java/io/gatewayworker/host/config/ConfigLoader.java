package io.gatewayworker.host.config;

import io.gatewayworker.host.transport.InternalAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the host's configuration: the defaults, then the file ({@code conf/gatewayworker.conf}, lines of
 * {@code key = value} with {@code #} comments), then overrides from the command line. Every key is
 * listed in {@link #KEYS} with its default and meaning; {@code conf/gatewayworker.conf} documents them
 * all. An unknown key (with the nearest known one suggested) or a bad value is a
 * {@link ConfigException} with one line that says where and what.
 *
 * <p>Sizes take a unit ({@code 64KiB}, {@code 1MiB}; plain numbers are bytes); durations too
 * ({@code 500ms}, {@code 10s}, {@code 2m}).
 */
public final class ConfigLoader {

    /** One configuration key. */
    public record Key(String name, String defaultValue, String description,
                      BiFunction<HostConfig, String, HostConfig> apply, Function<HostConfig, String> show) {
    }

    /** Every key, in the order of the configuration file. */
    public static final List<Key> KEYS = List.of(
            key("listen", "ws://127.0.0.1:7272",
                    "Public listeners, comma-separated: [app=]ws://host:port. Without app=, a listener belongs to the only app installed (to chat when there are several).",
                    (c, v) -> c.withListeners(listeners(v)),
                    c -> String.join(", ", c.listeners().stream().map(l -> (l.app() == null ? "" : l.app() + "=") + l.url()).toList())),
            key("plugins.dir", "plugins", "The folder of app jars (plugins/*.jar).",
                    (c, v) -> c.withPluginsDir(Path.of(v)), c -> c.pluginsDir().toString()),
            key("plugins.watch", "true", "Reload apps when their jar in plugins.dir changes (true or false).",
                    (c, v) -> c.withWatchPlugins(bool(v)), c -> String.valueOf(c.watchPlugins())),
            key("data.dir", "data", "Where the host keeps its files: loaded copies of app jars, the control file, the shell history.",
                    (c, v) -> c.withDataDir(Path.of(v)), c -> c.dataDir().toString()),
            key("roles", "register,gateway,worker", "The roles this process runs, comma-separated: register, gateway, worker. All three in one process is the embedded mode; the same roles in separate processes (on separate machines) form a cluster.",
                    (c, v) -> c.with(b -> b.roles = HostRole.parse(v)), c -> HostRole.show(new java.util.TreeSet<>(c.roles()))),
            key("register.address", "127.0.0.1:1236", "The registers' internal addresses, comma-separated: gateways announce themselves to each, workers and push clients learn the gateways from each. A process that runs the register binds the first.",
                    (c, v) -> c.with(b -> b.registerAddresses = addresses(v)),
                    c -> String.join(",", c.registerAddresses().stream().map(InternalAddress::toString).toList())),
            key("gateway.address", "127.0.0.1:2300", "Where the gateway's internal port binds (IPv4:port; 0.0.0.0 for every interface).",
                    (c, v) -> c.with(b -> b.gatewayAddress = InternalAddress.parse(v)), c -> c.gatewayAddress().toString()),
            key("gateway.advertise", "", "The address the gateway announces to the registers and encodes in its client ids, when it differs from gateway.address (behind NAT, in a container, or when that binds 0.0.0.0); empty: gateway.address.",
                    (c, v) -> c.with(b -> b.gatewayAdvertise = v.isBlank() ? null : InternalAddress.parse(v.strip())),
                    c -> c.gatewayAdvertise() == null ? "" : c.gatewayAdvertise().toString()),
            key("worker.name", "worker-1", "The BusinessWorker's name in logs and status; unique in a cluster.",
                    (c, v) -> c.with(b -> b.workerName = nonEmpty(v)), HostConfig::workerName),
            key("cluster.secret", "", "The secret internal links authenticate with (a challenge answered with an HMAC: it never crosses the wire). Required when an internal port binds a non-loopback address. Prefer cluster.secret-file.",
                    (c, v) -> c.with(b -> b.cluster = b.cluster.withSecret(v.strip(), v.isBlank() ? "" : "cluster.secret")),
                    c -> c.cluster().secretSource().equals("cluster.secret") ? "(set)" : ""),
            key("cluster.secret-file", "", "A file holding the secret (its first line), so that it need not appear on a command line or in this file.",
                    (c, v) -> v.isBlank() ? c : c.with(b -> b.cluster = b.cluster.withSecret(secretFile(v.strip()), v.strip())),
                    c -> c.cluster().secretSource().equals("cluster.secret") ? "" : c.cluster().secretSource()),
            key("cluster.heartbeat", "2s", "How often an idle TCP link between roles sends a ping.",
                    (c, v) -> c.with(b -> b.cluster = b.cluster.withHeartbeat(duration(v), b.cluster.heartbeatTimeout())),
                    c -> millis(c.cluster().heartbeat())),
            key("cluster.heartbeat-timeout", "10s", "How long a TCP link may stay silent before its peer is taken for dead (crashed or frozen) and the link is closed.",
                    (c, v) -> c.with(b -> b.cluster = b.cluster.withHeartbeat(b.cluster.heartbeat(), duration(v))),
                    c -> millis(c.cluster().heartbeatTimeout())),
            key("cluster.lease", "30s", "How long a worker keeps a lost gateway's clients: a link back within it resumes them with no callback; past it, each gets onClose.",
                    (c, v) -> c.with(b -> b.cluster = b.cluster.withLease(durationOrZero(v))), c -> millis(c.cluster().lease())),
            key("io.threads", "0", "Network threads; 0 means one per processor.",
                    (c, v) -> c.withIoThreads(integer(v, 0, 1024)), c -> String.valueOf(c.ioThreads())),
            key("control.port", "0", "The loopback port of the control endpoint that bin/gatewayworker talks to; 0 picks a free one.",
                    (c, v) -> c.with(b -> b.controlPort = integer(v, 0, 65535)), c -> String.valueOf(c.controlPort())),
            limit("limits.frame.max-bytes", "64KiB", "Largest WebSocket frame payload a client may send (closed with 1009 beyond).",
                    (l, v) -> l.with(b -> b.maxFrameBytes = size(v)), l -> bytes(l.maxFrameBytes())),
            limit("limits.message.max-bytes", "64KiB", "Largest message, all fragments together, a client may send.",
                    (l, v) -> l.with(b -> b.maxMessageBytes = size(v)), l -> bytes(l.maxMessageBytes())),
            limit("limits.http-header.max-bytes", "8KiB", "Largest header block of a WebSocket upgrade request (431 beyond).",
                    (l, v) -> l.with(b -> b.maxHttpHeaderBytes = size(v)), l -> bytes(l.maxHttpHeaderBytes())),
            limit("limits.handshake.timeout", "10s", "Time from connect to a completed handshake, the app's verdict included.",
                    (l, v) -> l.with(b -> b.handshakeTimeout = duration(v)), l -> millis(l.handshakeTimeout())),
            limit("limits.session.max-bytes", "64KiB", "Largest encoded session of one client.",
                    (l, v) -> l.with(b -> b.maxSessionBytes = size(v)), l -> bytes(l.maxSessionBytes())),
            limit("limits.output.max-pending-bytes", "1MiB", "Output a client may leave unread before it is dropped as too slow.",
                    (l, v) -> l.with(b -> b.maxPendingOutputBytes = size(v)), l -> bytes(l.maxPendingOutputBytes())),
            limit("limits.connections.per-listener", "100000", "Connections one listener holds; more are refused.",
                    (l, v) -> l.with(b -> b.maxConnectionsPerListener = integer(v, 1, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.maxConnectionsPerListener())),
            limit("limits.waiting.events-per-client", "256", "Events of one client kept while no worker serves its app; then reading from it pauses.",
                    (l, v) -> l.with(b -> b.maxWaitingEventsPerClient = integer(v, 1, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.maxWaitingEventsPerClient())),
            limit("limits.waiting.clients-per-app", "10000", "Clients kept waiting while no worker serves their app; then new ones are refused with 1013.",
                    (l, v) -> l.with(b -> b.maxWaitingClientsPerApp = integer(v, 1, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.maxWaitingClientsPerApp())),
            limit("limits.link.credit-window", "8192", "Events a gateway may send a worker ahead of the worker's acknowledgements.",
                    (l, v) -> l.with(b -> b.linkCreditWindow = integer(v, 16, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.linkCreditWindow())),
            limit("limits.client.in-flight", "128", "Events of one client on their way to its worker or waiting there; then reading from that client pauses until the worker catches up.",
                    (l, v) -> l.with(b -> b.clientInFlight = integer(v, 4, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.clientInFlight())),
            limit("limits.query.timeout", "5s", "Longest wait of a Gateway query for the gateways' answers.",
                    (l, v) -> l.with(b -> b.queryTimeout = duration(v)), l -> millis(l.queryTimeout())),
            limit("limits.reload.drain-timeout", "10s", "During a reload, longest wait for the old version's running callbacks.",
                    (l, v) -> l.with(b -> b.reloadDrainTimeout = duration(v)), l -> millis(l.reloadDrainTimeout())),
            limit("limits.reload.leak-check-delay", "30s", "After a version is unloaded, how long its class loader may stay reachable before it is reported as leaked.",
                    (l, v) -> l.with(b -> b.leakCheckDelay = duration(v)), l -> millis(l.leakCheckDelay())),
            limit("limits.app-jar.max-bytes", "512MiB", "All entries of an app jar together, unpacked; the jar file may be no larger either.",
                    (l, v) -> l.with(b -> b.maxAppJarBytes = size(v)), l -> bytes(l.maxAppJarBytes())),
            limit("limits.app-jar.max-entry-bytes", "64MiB", "One entry of an app jar (a class or a resource), unpacked.",
                    (l, v) -> l.with(b -> b.maxAppJarEntryBytes = size(v)), l -> bytes(l.maxAppJarEntryBytes())),
            limit("limits.app-jar.max-entries", "65536", "Entries in an app jar.",
                    (l, v) -> l.with(b -> b.maxAppJarEntries = integer(v, 1, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.maxAppJarEntries())),
            limit("limits.app-jar.max-ratio", "100", "How many times its packed size an entry of an app jar over 1 MiB may grow when unpacked (real jars: under 10; a decompression bomb: about 1000).",
                    (l, v) -> l.with(b -> b.maxAppJarRatio = integer(v, 1, Integer.MAX_VALUE)),
                    l -> String.valueOf(l.maxAppJarRatio())),
            limit("clients.ping-interval", "25s", "How long a client may stay silent before it is sent a WebSocket ping, which browsers and other conforming clients answer with a pong; 0 sends no pings.",
                    (l, v) -> l.with(b -> b.pingInterval = durationOrZero(v)), l -> millis(l.pingInterval())),
            limit("clients.idle-timeout", "60s", "How long a client may stay silent (no message, no pong) before it is closed (1001); 0 never closes a client for silence.",
                    (l, v) -> l.with(b -> b.idleTimeout = durationOrZero(v)), l -> millis(l.idleTimeout())),
            limit("limits.callback.budget", "10s", "How long one app callback may run before it is reported in the log with its app, client and stack (it is not stopped).",
                    (l, v) -> l.with(b -> b.callbackBudget = duration(v)), l -> millis(l.callbackBudget())),
            limit("limits.app.start-timeout", "30s", "Longest wait for an app's onWorkerStart; a version that takes longer is refused and the running one keeps serving.",
                    (l, v) -> l.with(b -> b.appStartTimeout = duration(v)), l -> millis(l.appStartTimeout())),
            limit("apps.carriers", "0", "Carrier threads of each app version's virtual threads; 0 means one per processor. An app that keeps its carriers busy leaves the other apps and the host their own threads.",
                    (l, v) -> l.with(b -> b.appCarriers = integer(v, 0, 1024)), l -> String.valueOf(l.appCarriers())),
            limit("limits.flow.stall-timeout", "5s", "How long queued work may wait with nothing holding it back, or a client stay paused with nothing in flight, before it is logged and counted as a stall (a bug to report).",
                    (l, v) -> l.with(b -> b.stallTimeout = duration(v)), l -> millis(l.stallTimeout())));

    private static final Map<String, Key> BY_NAME = new LinkedHashMap<>();

    static {
        for (Key key : KEYS) {
            BY_NAME.put(key.name(), key);
        }
    }

    private ConfigLoader() {
    }

    /**
     * The configuration: defaults, then {@code file} (when not null), then {@code overrides} (from the
     * command line, named after where they came from in errors).
     *
     * @throws ConfigException one line, naming the file and line or the option
     */
    public static HostConfig load(Path file, Map<String, String> overrides) {
        HostConfig config = HostConfig.defaults();
        if (file != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(file + ": cannot be read (" + e.getMessage() + ")");
            }
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String where = file + " line " + (i + 1);
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException(where + ": '" + line + "' is not key = value");
                }
                String key = line.substring(0, eq).strip();
                String value = stripComment(line.substring(eq + 1)).strip();
                Integer before = seen.put(key, i + 1);
                if (before != null) {
                    throw new ConfigException(where + ": '" + key + "' is set again (first on line " + before + ")");
                }
                config = apply(config, key, value, where);
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            config = apply(config, e.getKey(), e.getValue(), "option --set " + e.getKey());
        }
        return config;
    }

    /** Applies one setting; {@code where} names its place in errors. */
    public static HostConfig apply(HostConfig config, String key, String value, String where) {
        Key k = BY_NAME.get(key);
        if (k == null) {
            String near = nearest(key);
            throw new ConfigException(where + ": unknown key '" + key + "'"
                    + (near == null ? " (see conf/gatewayworker.conf for the keys)" : " (did you mean '" + near + "'?)"));
        }
        try {
            return k.apply().apply(config, value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + key + " = '" + value + "' is not valid: " + e.getMessage());
        }
    }

    /** The effective configuration, one {@code key = value} line per key. */
    public static String render(HostConfig config) {
        StringBuilder sb = new StringBuilder();
        int width = KEYS.stream().mapToInt(k -> k.name().length()).max().orElse(0);
        for (Key key : KEYS) {
            sb.append(String.format("%-" + width + "s = %s%n", key.name(), key.show().apply(config)));
        }
        return sb.toString();
    }

    /** The known key nearest to {@code key} in edit distance, or null when none is close. */
    static String nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : BY_NAME.keySet()) {
            int d = distance(key.toLowerCase(Locale.ROOT), name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        return bestDistance <= Math.max(3, key.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String stripComment(String value) {
        int hash = value.indexOf(" #");
        return hash >= 0 ? value.substring(0, hash) : value;
    }

    // ------------------------------------------------------------------ values

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

    static int size(String v) {
        Matcher m = SIZE.matcher(v.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 65536, 64KiB or 1MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long bytes = switch (unit.charAt(0)) {
            case 'k' -> n * 1024;
            case 'm' -> n * 1024 * 1024;
            case 'g' -> n * 1024 * 1024 * 1024;
            default -> n;
        };
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("expected a size above 0 and below 2GiB");
        }
        return (int) bytes;
    }

    static Duration duration(String v) {
        Duration d = durationOrZero(v);
        if (d.isZero()) {
            throw new IllegalArgumentException("expected a duration above zero");
        }
        return d;
    }

    /** A duration where 0 (turning something off) is allowed. */
    static Duration durationOrZero(String v) {
        Matcher m = DURATION.matcher(v.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 10s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
        Duration d = switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMillis(n);
        };
        return d;
    }

    static int integer(String v, int min, int max) {
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min || n > max) {
                throw new IllegalArgumentException("expected a number from " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number from " + min + " to " + max);
        }
    }

    static boolean bool(String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static String nonEmpty(String v) {
        if (v.isBlank()) {
            throw new IllegalArgumentException("expected a name");
        }
        return v.strip();
    }

    static List<InternalAddress> addresses(String v) {
        List<InternalAddress> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(InternalAddress.parse(part.strip()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("expected at least one ip:port");
        }
        return out;
    }

    /** The first line of a secret file, which must exist and hold one. */
    static String secretFile(String path) {
        try {
            List<String> lines = Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
            String secret = lines.isEmpty() ? "" : lines.get(0).strip();
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("the file " + path + " holds no secret on its first line");
            }
            return secret;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + " (" + e.getMessage() + ")");
        }
    }

    static List<ListenerConfig> listeners(String v) {
        List<ListenerConfig> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(ListenerConfig.parse(part.strip()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("expected at least one listener");
        }
        return out;
    }

    private static String bytes(int n) {
        if (n % (1024 * 1024) == 0) {
            return n / (1024 * 1024) + "MiB";
        }
        return n % 1024 == 0 ? n / 1024 + "KiB" : String.valueOf(n);
    }

    private static String millis(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static Key key(String name, String def, String description, BiFunction<HostConfig, String, HostConfig> apply,
                           Function<HostConfig, String> show) {
        return new Key(name, def, description, apply, show);
    }

    private static Key limit(String name, String def, String description, BiFunction<Limits, String, Limits> apply,
                             Function<Limits, String> show) {
        return new Key(name, def, description, (c, v) -> c.withLimits(apply.apply(c.limits(), v)), c -> show.apply(c.limits()));
    }
}
