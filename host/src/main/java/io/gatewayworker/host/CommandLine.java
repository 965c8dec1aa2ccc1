package io.gatewayworker.host;

import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.config.ListenerConfig;
import io.gatewayworker.host.transport.InternalAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code gatewayworker start}. Each has a default; an unknown option or a bad value is
 * an {@link IllegalArgumentException} whose message names it.
 */
final class CommandLine {

    static final String USAGE = """
            Usage: gatewayworker start [options]

            Options:
              --listen [APP=]ws://HOST:PORT   a public WebSocket listener (repeatable);
                                              default ws://127.0.0.1:7272 for the only app
              --plugins DIR                   the folder of app jars (default: plugins)
              --data DIR                      where the host keeps its files (default: data)
              --gateway-address IP:PORT       the gateway's internal address, encoded in
                                              client ids (default: 127.0.0.1:2300)
              --io-threads N                  network threads, 0 = one per core (default: 0)
              --no-watch                      do not reload apps when plugins/ changes
              --help                          this text
            """;

    record Parsed(HostConfig config, boolean help) {
    }

    private CommandLine() {
    }

    static Parsed parse(String[] args) {
        HostConfig config = HostConfig.defaults();
        List<ListenerConfig> listeners = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "start" -> { }
                case "--help", "-h" -> {
                    return new Parsed(config, true);
                }
                case "--listen" -> listeners.add(ListenerConfig.parse(value != null ? value : next(args, ++i, arg)));
                case "--plugins" -> config = config.withPluginsDir(Path.of(value != null ? value : next(args, ++i, arg)));
                case "--data" -> config = config.withDataDir(Path.of(value != null ? value : next(args, ++i, arg)));
                case "--gateway-address" -> {
                    InternalAddress address = InternalAddress.parse(value != null ? value : next(args, ++i, arg));
                    config = new HostConfig(config.listeners(), config.pluginsDir(), config.dataDir(),
                            config.registerAddress(), address, config.ioThreads(), config.workerName(), config.limits(),
                            config.watchPlugins());
                }
                case "--no-watch" -> config = config.withWatchPlugins(false);
                case "--io-threads" -> config = config.withIoThreads(integer(value != null ? value : next(args, ++i, arg), arg));
                default -> throw new IllegalArgumentException("unknown option '" + arg + "' (see --help)");
            }
        }
        if (!listeners.isEmpty()) {
            config = config.withListeners(listeners);
        }
        return new Parsed(config, false);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + option + " needs a value (see --help)");
        }
        return args[i];
    }

    private static int integer(String text, String option) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + option + ": '" + text + "' is not a number");
        }
    }
}
