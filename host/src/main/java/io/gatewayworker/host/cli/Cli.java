package io.gatewayworker.host.cli;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.HostStartException;
import io.gatewayworker.host.config.ConfigException;
import io.gatewayworker.host.config.ConfigLoader;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.control.ControlFile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/gatewayworker}: {@code start} runs the server; the other commands talk to a running
 * instance through its loopback control endpoint. Every error is one line; the exit status says what
 * happened (see {@link #FAILED} and the others).
 */
@Command(name = "gatewayworker", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "A long-connection push server: Register, Gateway and BusinessWorker, with apps as plugins.",
        subcommands = {Cli.Start.class, Cli.Stop.class, Cli.Restart.class, Cli.Reload.class, Cli.Status.class,
            Cli.Connections.class, Cli.Plugins.class, Cli.Config.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 done, 1 failed, 2 bad usage or configuration, 3 not running,",
            "4 already running."})
public final class Cli implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOT_RUNNING = 3;
    public static final int ALREADY_RUNNING = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line; returns the exit status. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Cli());
        cli.setExitCodeExceptionMapper(t -> t instanceof ConfigException ? USAGE : FAILED);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("gatewayworker: " + e.getMessage());
            return e instanceof ConfigException ? USAGE : FAILED;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("gatewayworker: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, c.getErr());
            c.getErr().println("Try 'bin/gatewayworker " + (c.getCommandName().equals("gatewayworker") ? "" : c.getCommandName() + " ")
                    + "--help' for more information.");
            return USAGE;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return USAGE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"GatewayWorker " + Host.version() + " (JDK " + System.getProperty("java.version") + ")"};
        }
    }

    /** Where the configuration comes from: shared by every command. */
    static final class ConfigOptions {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "The configuration file (default: conf/gatewayworker.conf when it exists).")
        Path config;

        @Option(names = "--data", paramLabel = "DIR", description = "The data folder (data.dir).")
        Path data;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Sets a configuration key (repeatable).")
        Map<String, String> set = new LinkedHashMap<>();

        HostConfig load(Map<String, String> more) {
            Path file = config;
            if (file == null && Files.isRegularFile(Path.of("conf", "gatewayworker.conf"))) {
                file = Path.of("conf", "gatewayworker.conf");
            } else if (file != null && !Files.isRegularFile(file)) {
                throw new ConfigException("configuration file " + file + " does not exist");
            }
            Map<String, String> overrides = new LinkedHashMap<>(set);
            overrides.putAll(more);
            if (data != null) {
                overrides.put("data.dir", data.toString());
            }
            return ConfigLoader.load(file, overrides);
        }

        Path dataDir() {
            return load(Map.of()).dataDir();
        }
    }

    // ================================================================== start

    @Command(name = "start", description = {"Starts the server (-d: as a daemon).",
        "In the foreground it has an interactive shell when the terminal is interactive; with -d",
        "bin/gatewayworker detaches it, logs to logs/gatewayworker.log and writes a pid file."})
    static final class Start implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = {"-d", "--daemon"}, description = "Run as a daemon: no shell, log to a file, a pid file.")
        boolean daemon;

        @Option(names = "--listen", paramLabel = "[APP=]ws://HOST:PORT", description = "A public listener (repeatable); the key listen.")
        List<String> listen = new ArrayList<>();

        @Option(names = "--plugins", paramLabel = "DIR", description = "The folder of app jars (plugins.dir).")
        Path plugins;

        @Option(names = "--gateway-address", paramLabel = "IP:PORT", description = "The gateway's internal address (gateway.address).")
        String gatewayAddress;

        @Option(names = "--role", paramLabel = "ROLES", description = "The roles to run, comma-separated: register, gateway,"
                + " worker (roles; default all three: the embedded mode).")
        String role;

        @Option(names = "--io-threads", paramLabel = "N", description = "Network threads, 0 = one per core (io.threads).")
        Integer ioThreads;

        @Option(names = "--no-watch", description = "Do not reload apps when plugins/ changes (plugins.watch = false).")
        boolean noWatch;

        @Option(names = "--no-shell", description = "No interactive shell, even on a terminal.")
        boolean noShell;

        /** For bin/gatewayworker, before it builds: exit 4 when an instance runs, else 0; start nothing. */
        @Option(names = "--check", hidden = true)
        boolean check;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintStream err = System.err;
            Map<String, String> more = new LinkedHashMap<>();
            if (!listen.isEmpty()) {
                more.put("listen", String.join(",", listen));
            }
            if (plugins != null) {
                more.put("plugins.dir", plugins.toString());
            }
            if (gatewayAddress != null) {
                more.put("gateway.address", gatewayAddress);
            }
            if (role != null) {
                more.put("roles", role);
            }
            if (ioThreads != null) {
                more.put("io.threads", ioThreads.toString());
            }
            if (noWatch) {
                more.put("plugins.watch", "false");
            }
            HostConfig config;
            try {
                config = options.load(more);
            } catch (ConfigException e) {
                err.println("gatewayworker: " + e.getMessage());
                return USAGE;
            }
            ControlClient.Lookup existing = new ControlClient(config.dataDir()).lookup(true);
            if (existing.running()) {
                err.println("GatewayWorker is already running (pid " + existing.file().pid() + ", data in "
                        + config.dataDir().toAbsolutePath() + ")");
                return ALREADY_RUNNING;
            }
            if (check) {
                return OK;
            }
            if (existing.file() != null) {
                org.slf4j.LoggerFactory.getLogger(Cli.class).info("Replacing stale control file of pid {} ({})",
                        existing.file().pid(), existing.stale());
            }
            try {
                return new Server(config, daemon, !daemon && !noShell && Terminals.interactive()).run();
            } catch (HostStartException e) {
                org.slf4j.LoggerFactory.getLogger(Cli.class).error("GatewayWorker did not start: {}", e.getMessage());
                return FAILED;
            }
        }
    }

    // ================================================================== commands to a running instance

    @Command(name = "stop", description = {"Stops the running instance (-g: let clients leave first).",
        "Clients get a close frame (1001), apps get onClose and onWorkerStop. With -g it first stops",
        "accepting and waits for the clients to leave (at most --timeout seconds). A stop that does not",
        "finish in time is forced."})
    static final class Stop implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "-g", description = "Graceful: stop accepting, let the clients leave first.")
        boolean graceful;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "With -g, the longest wait for clients to leave (default ${DEFAULT-VALUE}).")
        long timeout;

        @Override
        public Integer call() throws InterruptedException {
            return stop(options.dataDir(), graceful, timeout);
        }
    }

    /** Stops the instance of {@code dataDir} and waits until its process is gone. */
    static int stop(Path dataDir, boolean graceful, long timeoutSeconds) throws InterruptedException {
        ControlClient client = new ControlClient(dataDir);
        ControlClient.Lookup found = client.lookup(false);
        if (!found.running()) {
            client.reportNotRunning(found, System.err);
            return NOT_RUNNING;
        }
        ControlFile running = found.file();
        int status = client.call(found, graceful ? "stop -g " + timeoutSeconds : "stop", System.out, System.err);
        if (status != OK) {
            return status; // NOT_RUNNING included: never wait for, nor kill, a process that did not answer
        }
        ProcessHandle process = ProcessHandle.of(running.pid()).orElse(null);
        long waitSeconds = (graceful ? timeoutSeconds : 0) + 30;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (process != null && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            System.err.println("GatewayWorker (pid " + running.pid() + ") did not stop within " + waitSeconds
                    + " s; killed it");
            return FAILED;
        }
        System.out.println("GatewayWorker (pid " + running.pid() + ") stopped");
        return OK;
    }

    @Command(name = "restart", description = {"Stops the running instance, then starts it again.",
        "bin/gatewayworker restart -d starts the new one as a daemon."})
    static final class Restart implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "-g", description = "Stop gracefully first (see stop -g).")
        boolean graceful;

        @Override
        public Integer call() throws Exception {
            int stopped = stop(options.dataDir(), graceful, 300);
            if (stopped != OK && stopped != NOT_RUNNING) {
                return stopped;
            }
            Start start = new Start();
            start.options = options;
            return start.call();
        }
    }

    @Command(name = "reload", description = "Reloads one app, or every app, from its jar in plugins/.")
    static final class Reload implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Parameters(arity = "0..1", paramLabel = "APP", description = "The app id (its Plugin-Id); default: every app.")
        String app;

        @Override
        public Integer call() {
            return new ControlClient(options.dataDir()).call("reload" + (app == null ? "" : " " + app), System.out, System.err);
        }
    }

    @Command(name = "status", description = {"Roles, listeners, traffic, memory, uptime, apps (-d: live).",
        "Connections per listener, messages and bytes in and out with rates, heap and direct memory,",
        "uptime, and each app's version, state, events and errors."})
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "-d", description = "Refresh every second, until Ctrl-C.")
        boolean live;

        @Override
        public Integer call() throws InterruptedException {
            ControlClient client = new ControlClient(options.dataDir());
            if (!live) {
                return client.call("status", System.out, System.err);
            }
            for (;;) {
                java.io.ByteArrayOutputStream screen = new java.io.ByteArrayOutputStream();
                int status = client.call("status", new PrintStream(screen, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
                if (status != OK) {
                    return status;
                }
                System.out.print("\033[H\033[2J" + screen.toString(java.nio.charset.StandardCharsets.UTF_8));
                System.out.flush();
                Thread.sleep(1000);
            }
        }
    }

    @Command(name = "connections", description = {"One row per client; filters by uid, group, app.",
        "Each row: client id, remote address, listener and protocol, uid, groups, session size, bytes",
        "in and out, idle time."})
    static final class Connections implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Option(names = "--uid", paramLabel = "UID", description = "Only the clients bound to this uid.")
        String uid;

        @Option(names = "--group", paramLabel = "GROUP", description = "Only the members of this group.")
        String group;

        @Option(names = "--app", paramLabel = "APP", description = "Only the clients of this app.")
        String app;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N rows (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            StringBuilder line = new StringBuilder("connections --limit ").append(limit);
            if (uid != null) {
                line.append(" --uid ").append(uid);
            }
            if (group != null) {
                line.append(" --group ").append(group);
            }
            if (app != null) {
                line.append(" --app ").append(app);
            }
            return new ControlClient(options.dataDir()).call(line.toString(), System.out, System.err);
        }
    }

    @Command(name = "plugins", description = "Each app: version, state, loaded at, events, errors, reloads, leaks.")
    static final class Plugins implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            return new ControlClient(options.dataDir()).call("plugins", System.out, System.err);
        }
    }

    @Command(name = "config", description = {"The effective configuration.",
        "Of the running instance, or, when none runs, the one start would use."})
    static final class Config implements Callable<Integer> {
        @Mixin
        ConfigOptions options;

        @Override
        public Integer call() {
            HostConfig config;
            try {
                config = options.load(Map.of());
            } catch (ConfigException e) {
                System.err.println("gatewayworker: " + e.getMessage());
                return USAGE;
            }
            ControlClient client = new ControlClient(config.dataDir());
            ControlClient.Lookup found = client.lookup(true);
            if (found.running()) {
                return client.call(found, "config", System.out, System.err);
            }
            System.out.print(ConfigLoader.render(config));
            System.out.println("(not running: this is the configuration start would use)");
            return OK;
        }
    }
}
