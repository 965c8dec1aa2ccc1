package io.gatewayworker.bench.run;

import io.gatewayworker.bench.Messages;
import io.gatewayworker.bench.Options;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The options of {@code bin/bench SCENARIO [options]}, checked: a bad value is an
 * {@link IllegalArgumentException} that names the option and what was expected. Immutable.
 */
final class Settings {

    static final List<String> SCENARIOS = List.of("echo", "broadcast", "connect", "reload");

    /** Open files a load process may use for connections (the per-process limit here is 20,000). */
    static final int DEFAULT_PER_PROCESS = 15_000;

    static final String USAGE = """
            Usage: bin/bench SCENARIO [options]

            Runs one scenario against the host (bin/gatewayworker start, embedded mode, the bench app
            in a temporary plugins folder) and against the raw Netty ceiling, one after the other, on
            free loopback ports; prints a table and one JSON line with both figures and their ratio.

            Scenarios:
              echo        --clients C in a closed loop: round trips/s, latency, CPU per round trip
              broadcast   --receivers N, one of them sending with --window broadcasts in flight:
                          deliveries/s, fan-out latency, CPU per delivery
              connect     --connections N idle clients held --hold seconds: heap after GC and RSS
                          per connection (RSS growth from --base connections to N)
              reload      echo load while the bench app jar is swapped --reloads K times
                          (--reload-interval apart): added latency, losses

            Options (defaults in brackets):
              --clients C              echo/reload clients [100]
              --receivers N            broadcast receivers, the sender included [1000]
              --window W               broadcasts in flight (not yet delivered to all) [4]
              --connections N          connect: idle connections [10000]
              --base N                 connect: the count RSS growth is measured from [1000]
              --hold S                 connect: seconds to hold them [10]
              --reloads K              reload: jar swaps [3]
              --reload-interval S      reload: seconds between swaps [6]
              --reload-window S        reload: window counted as "during the reload" when the host
                                       logs no reload, and on the ceiling [2]
              --warmup S               seconds of load before measuring [10]
              --duration S             measured seconds (echo, broadcast) [15]
              --size B                 message size in bytes [32]
              --reply-timeout S        an answer later than this counts as a timeout [5]
              --target T               both | host | ceiling [both]
              --io-threads N           server I/O threads, 0 = one per core [0]
              --server-java-opts "..." JVM options for both servers [none: the JVM's defaults,
                                       as bin/gatewayworker starts it]
              --load-processes P       load processes at least [1]; more are started when the
                                       connections exceed --per-process
              --load-threads T         event loop threads per load process [1]
              --per-process N          connections per load process at most [15000]
              --source-addresses LIST  client source addresses in 127.0.0.0/8, e.g.
                                       127.0.1.1-127.0.1.8 [127.0.1.1-127.0.1.8]
              --transport epoll|nio    transport of the ceiling and the load generator [epoll]
              --ceiling-batching on|off  whether the ceiling sends the broadcasts of one read
                                       batch together (one flush per channel) [on]
              --jfr DIR                record each server's measured window with JFR (profile
                                       settings and the CPU-time sampler) into DIR, and print
                                       its CPU profile; attaching costs the server some CPU
              --threads                print each server's CPU per thread group
              --keep                   keep the work folder (logs, plugins, data)
              --help                   this text
            """;

    final String scenario;
    final Path root;
    final String classpath;
    final String target;
    final int clients;
    final int receivers;
    final int window;
    final int connections;
    final int base;
    final double hold;
    final int reloads;
    final double reloadInterval;
    final double reloadWindow;
    final double warmup;
    final double duration;
    final int size;
    final double replyTimeout;
    final int ioThreads;
    final List<String> serverJavaOpts;
    final int loadProcesses;
    final int loadThreads;
    final int perProcess;
    final String sourceAddresses;
    final List<InetAddress> sources;
    final String transport;
    final String ceilingBatching;
    final Path jfrDir;
    final boolean threads;
    final boolean keep;

    Settings(Options o, Path root, String classpath) {
        List<String> positional = o.positional();
        if (positional.isEmpty()) {
            throw new IllegalArgumentException("SCENARIO: missing (expected: one of " + String.join(", ", SCENARIOS) + ")");
        }
        if (positional.size() > 1) {
            throw new IllegalArgumentException("unexpected argument '" + positional.get(1) + "' (only one SCENARIO)");
        }
        scenario = positional.get(0);
        if (!SCENARIOS.contains(scenario)) {
            throw new IllegalArgumentException("SCENARIO: '" + scenario + "' (expected: one of " + String.join(", ", SCENARIOS) + ")");
        }
        this.root = root;
        this.classpath = classpath;
        target = o.choice("--target", "both", "both", "host", "ceiling");
        perProcess = o.integer("--per-process", DEFAULT_PER_PROCESS, 1, 19_000);
        clients = o.integer("--clients", 100, 1, 1_000_000);
        receivers = o.integer("--receivers", 1000, 1, Integer.MAX_VALUE);
        if (receivers > perProcess) {
            throw new IllegalArgumentException("--receivers: " + receivers + " (expected: <= " + perProcess
                    + ": all receivers live in one load process; --per-process allows up to 19000)");
        }
        window = o.integer("--window", 4, 1, 256);
        connections = o.integer("--connections", 10_000, 1, 1_000_000);
        base = o.integer("--base", Math.min(1000, connections), 0, connections);
        hold = o.seconds("--hold", 10, 0, 3600);
        reloads = o.integer("--reloads", 3, 1, 1000);
        reloadInterval = o.seconds("--reload-interval", 6, 1, 3600);
        reloadWindow = o.seconds("--reload-window", 2, 0.1, 3600);
        if (reloadWindow >= reloadInterval) {
            throw new IllegalArgumentException("--reload-window: " + reloadWindow
                    + " (expected: less than --reload-interval, " + reloadInterval + ")");
        }
        warmup = o.seconds("--warmup", 10, 0, 3600);
        duration = o.seconds("--duration", 15, 1, 3600);
        size = o.integer("--size", 32, Messages.minSize(Messages.ECHO), 60 * 1024);
        replyTimeout = o.seconds("--reply-timeout", 5, 0.01, 600);
        ioThreads = o.integer("--io-threads", 0, 0, 256);
        String opts = o.string("--server-java-opts", "").trim();
        serverJavaOpts = opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
        loadProcesses = o.integer("--load-processes", 1, 1, 64);
        loadThreads = o.integer("--load-threads", 1, 1, 64);
        sourceAddresses = o.string("--source-addresses", "127.0.1.1-127.0.1.8");
        sources = o.loopbackList("--source-addresses", sourceAddresses);
        transport = o.choice("--transport", "epoll", "epoll", "nio");
        ceilingBatching = o.choice("--ceiling-batching", "on", "on", "off");
        String jfr = o.string("--jfr", null);
        jfrDir = jfr == null ? null : Path.of(jfr).toAbsolutePath();
        if (jfrDir != null && Files.exists(jfrDir) && !Files.isDirectory(jfrDir)) {
            throw new IllegalArgumentException("--jfr: " + jfr + " (expected: a folder)");
        }
        threads = o.flag("--threads");
        keep = o.flag("--keep");
        o.checkAllUsed();
    }

    static Set<String> flags() {
        return Set.of("--threads", "--keep", "--help");
    }

    List<String> targets() {
        return target.equals("both") ? List.of("host", "ceiling") : List.of(target);
    }
}
