package io.gatewayworker.host.cli;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.HostStartException;
import io.gatewayworker.host.config.ConfigException;
import io.gatewayworker.host.config.ConfigLoader;
import io.gatewayworker.host.config.HostConfig;
import io.gatewayworker.host.control.ControlFile;
import io.gatewayworker.host.control.command.CommandGroup;
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

/**
 * {@code bin/gatewayworker}: {@code start} runs the server and {@code restart} stops and starts it; the
 * operator's commands (status, connections, plugins, reload, kick, send, broadcast, groups, config,
 * stop) are made from their {@link CommandGroup#standard() command objects} by {@link RemoteCommands}
 * and talk to a running instance through its loopback control endpoint; {@code help} describes them
 * all, without a running instance. Every error is one line; the exit status says what happened (see
 * {@link #FAILED} and the others).
 */
@Command(name = "gatewayworker", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "A long-connection push server: Register, Gateway and BusinessWorker, with apps as plugins.",
        subcommands = {Cli.Start.class, Cli.Restart.class},
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
        CommandLine cli = commandLine();
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

    /** The command line's model: start, restart, the operator's commands, help. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Cli());
        RemoteCommands.addTo(cli, CommandGroup.standard());
        cli.addSubcommand("help", new CommandLine.HelpCommand());
        return cli;
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

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Starts the server (-d: as a daemon).",
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

    /** Stops the instance of {@code dataDir} and waits until its process is gone. */
    static int stop(Path dataDir, boolean graceful, long timeoutSeconds) throws InterruptedException {
        ControlClient client = new ControlClient(dataDir);
        ControlClient.Lookup found = client.lookup(false);
        if (!found.running()) {
            client.reportNotRunning(found, System.err);
            return NOT_RUNNING;
        }
        ControlFile running = found.file();
        int status = client.call(found, graceful ? "stop -g --timeout " + timeoutSeconds : "stop", System.out, System.err);
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

    @Command(name = "restart", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
            description = {"Stops the running instance, then starts it again.",
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
}
