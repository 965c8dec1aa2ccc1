package io.gatewayworker.host.control;

import io.gatewayworker.host.Host;
import io.gatewayworker.host.app.AppManager;
import io.gatewayworker.host.config.ConfigLoader;
import io.gatewayworker.host.gateway.GatewayServer;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The operator's commands, shared by the interactive shell and the control endpoint: each takes the
 * rest of its command line and writes its answer, laid out for an 80-column terminal, returning an
 * exit status (0 done, 1 failed, 2 bad usage).
 *
 * <p>Thread-safe. Commands may block (they run on the shell's thread or a platform thread of the
 * control endpoint), never on a network thread. A sampler thread ({@code gw-stats}) takes the listeners'
 * figures every second, for the rates of {@code status}.
 */
public final class AdminCommands implements AutoCloseable {

    /** One command. */
    public interface Command {
        String name();

        /** "connections [--uid U] [--group G]" */
        String usage();

        String summary();

        int run(String args, PrintWriter out) throws Exception;
    }

    /** How {@code stop} reaches the owner of the host. */
    public interface StopRequest {
        void stop(boolean graceful, Duration timeout);
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Host host;
    private final StopRequest stopper;
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gw-stats");
        t.setDaemon(true);
        return t;
    });
    private volatile List<GatewayServer.ListenerStats> previous = List.of();
    private volatile List<GatewayServer.ListenerStats> latest = List.of();

    public AdminCommands(Host host, StopRequest stopper) {
        this.host = host;
        this.stopper = stopper;
        add("status", "status", "roles, listeners, traffic and rates, memory, uptime, apps", this::status);
        add("connections", "connections [--uid U] [--group G] [--app A] [--limit N]",
                "one row per client: id, address, listener, uid, groups, session, bytes, idle", this::connections);
        add("plugins", "plugins", "apps: version, state, loaded at, events, errors, reloads, leaks", this::plugins);
        add("reload", "reload [APP]", "reload one app, or every app, from its jar in plugins/", this::reload);
        add("kick", "kick CLIENT [REASON]", "close a client's connection (1000)", this::kick);
        add("send", "send CLIENT MESSAGE", "send a text message to one client", this::send);
        add("broadcast", "broadcast MESSAGE", "send a text message to every client", this::broadcast);
        add("groups", "groups", "groups and their numbers of members, per app", this::groups);
        add("config", "config", "the effective configuration", this::config);
        add("stop", "stop [-g [SECONDS]]", "stop (-g: stop accepting, let clients leave, then stop)", this::stop);
        add("help", "help [COMMAND]", "these commands", this::help);
        sampler.scheduleAtFixedRate(() -> {
            previous = latest;
            latest = host.gateway().listenerStats();
        }, 0, 1, TimeUnit.SECONDS);
    }

    private void add(String name, String usage, String summary, Body body) {
        commands.put(name, new Command() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String usage() {
                return usage;
            }

            @Override
            public String summary() {
                return summary;
            }

            @Override
            public int run(String args, PrintWriter out) throws Exception {
                return body.run(args.strip(), out);
            }
        });
    }

    private interface Body {
        int run(String args, PrintWriter out) throws Exception;
    }

    public Map<String, Command> commands() {
        return commands;
    }

    /**
     * Runs one command line. An unknown command gets a one-line answer with the nearest name.
     *
     * @return the exit status
     */
    public int execute(String line, PrintWriter out) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return 0;
        }
        int space = trimmed.indexOf(' ');
        String name = space < 0 ? trimmed : trimmed.substring(0, space);
        String args = space < 0 ? "" : trimmed.substring(space + 1);
        Command command = commands.get(name);
        if (command == null) {
            out.println("unknown command '" + name + "'" + suggestion(name) + "; type help for the commands");
            return 2;
        }
        try {
            return command.run(args, out);
        } catch (Exception e) {
            out.println(name + " failed: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
        }
    }

    private String suggestion(String name) {
        for (String known : commands.keySet()) {
            if (known.startsWith(name) || name.startsWith(known.substring(0, Math.min(3, known.length())))) {
                return " (did you mean " + known + "?)";
            }
        }
        return "";
    }

    // ================================================================== completion data

    public List<String> clientIds() {
        return host.gateway().clientIds();
    }

    public List<String> appIds() {
        return host.worker().apps().status().stream().map(AppManager.AppStatus::id).toList();
    }

    public List<String> groupNames() {
        List<String> names = new ArrayList<>();
        try {
            host.gateway().groups().get(2, TimeUnit.SECONDS).values().forEach(g -> names.addAll(g.keySet()));
        } catch (Exception e) {
            // no completion then
        }
        return names;
    }

    // ================================================================== the commands

    private int status(String args, PrintWriter out) {
        Duration up = Duration.between(host.startedAt(), Instant.now());
        Runtime rt = Runtime.getRuntime();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum()
                + io.netty.util.internal.PlatformDependent.usedDirectMemory();
        out.printf("GatewayWorker %s  pid %d  up %s  JDK %s  %d cores%n", Host.version(), ProcessHandle.current().pid(),
                Text.duration(up), System.getProperty("java.version"), rt.availableProcessors());
        out.printf("roles    register, gateway %s, worker %s, in one JVM%n", host.config().gatewayAddress(),
                Text.fit(host.worker().name(), 20));
        out.printf("memory   heap %s of %s, direct %s%n", Text.bytes(heap.getUsed()),
                Text.bytes(heap.getMax() > 0 ? heap.getMax() : rt.maxMemory()), Text.bytes(Math.max(0, direct)));
        out.printf("clients  %s connected%n", Text.count(host.gateway().clientCount()));
        long stalls = (host.gateway() == null ? 0 : host.gateway().stalls()) + (host.worker() == null ? 0 : host.worker().stalls());
        out.printf("flow     stalls %s (missed wake-ups found by the flow watch; 0 is right)%n", Text.count(stalls));
        if (host.gateway() != null) {
            out.printf("         at most %s events waited for a worker at once (window %s)%n",
                    Text.count(host.gateway().peakEventsWaiting()), Text.count(host.config().limits().linkCreditWindow()));
        }
        out.println();
        List<GatewayServer.ListenerStats> now = host.gateway().listenerStats();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"LISTENER", "APP", "CLIENTS", "MSG IN/S", "MSG OUT/S", "IN/S", "OUT/S"});
        long msgIn = 0;
        long msgOut = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        for (GatewayServer.ListenerStats l : now) {
            GatewayServer.ListenerStats before = previous.stream().filter(p -> p.name().equals(l.name())).findFirst().orElse(null);
            GatewayServer.ListenerStats last = latest.stream().filter(p -> p.name().equals(l.name())).findFirst().orElse(null);
            long[] rate = rate(before, last);
            rows.add(new String[] {Text.fit(l.name(), 26), Text.fit(l.app(), 10), Text.count(l.connections()),
                Text.count(rate[0]), Text.count(rate[1]), Text.bytes(rate[2]), Text.bytes(rate[3])});
            msgIn += l.messagesIn();
            msgOut += l.messagesOut();
            bytesIn += l.bytesIn();
            bytesOut += l.bytesOut();
        }
        out.print(Text.table(rows));
        out.printf("  since start: %s messages in, %s out; %s in, %s out%n", Text.count(msgIn), Text.count(msgOut),
                Text.bytes(bytesIn), Text.bytes(bytesOut));
        out.println();
        List<AppManager.AppStatus> apps = host.worker().apps().status();
        if (apps.isEmpty()) {
            out.println("no app is running: put an app jar into " + host.config().pluginsDir());
        } else {
            List<String[]> appRows = new ArrayList<>();
            appRows.add(new String[] {"APP", "VERSION", "STATE", "EVENTS", "ERRORS", "RELOADS"});
            for (AppManager.AppStatus a : apps) {
                appRows.add(new String[] {Text.fit(a.id(), 16), Text.fit(a.version(), 16), a.state().name(),
                    Text.count(a.events()), Text.count(a.errors()), Text.count(a.reloads())});
            }
            out.print(Text.table(appRows));
        }
        return 0;
    }

    /** Per second over the last sampling second: messages in, out, bytes in, out. */
    private static long[] rate(GatewayServer.ListenerStats before, GatewayServer.ListenerStats last) {
        if (before == null || last == null) {
            return new long[4];
        }
        return new long[] {Math.max(0, last.messagesIn() - before.messagesIn()),
            Math.max(0, last.messagesOut() - before.messagesOut()), Math.max(0, last.bytesIn() - before.bytesIn()),
            Math.max(0, last.bytesOut() - before.bytesOut())};
    }

    private int connections(String args, PrintWriter out) throws Exception {
        Map<String, String> opts;
        try {
            opts = options(args, "--uid", "--group", "--app", "--limit");
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage() + "; usage: " + commands.get("connections").usage());
            return 2;
        }
        int limit = opts.containsKey("--limit") ? Integer.parseInt(opts.get("--limit")) : 100;
        List<GatewayServer.ClientRow> all = host.gateway().connections().get(5, TimeUnit.SECONDS);
        List<GatewayServer.ClientRow> rows = all.stream()
                .filter(r -> !opts.containsKey("--uid") || opts.get("--uid").equals(r.uid()))
                .filter(r -> !opts.containsKey("--group") || r.groups().contains(opts.get("--group")))
                .filter(r -> !opts.containsKey("--app") || opts.get("--app").equals(r.app()))
                .toList();
        if (rows.isEmpty()) {
            out.println(all.isEmpty() ? "no client is connected" : "no client matches");
            return 0;
        }
        List<String[]> table = new ArrayList<>();
        table.add(new String[] {"CLIENT ID", "REMOTE", "LISTEN", "UID", "GROUPS", "SESS", "IN/OUT", "IDLE"});
        for (GatewayServer.ClientRow r : rows.subList(0, Math.min(limit, rows.size()))) {
            String groups = r.groups().isEmpty() ? "-" : r.groups().size() == 1 ? r.groups().get(0)
                    : Text.fit(r.groups().get(0), 5) + "+" + (r.groups().size() - 1);
            String port = r.listener().substring(r.listener().lastIndexOf(':') + 1);
            String listen = (r.protocol().equals("websocket") ? "ws" : r.protocol()) + port;
            table.add(new String[] {r.id(), Text.fit(r.remote(), 15), Text.fit(listen, 6), Text.fit(r.uid(), 7),
                Text.fit(groups, 7), Text.bytes(r.sessionBytes()), Text.bytes(r.bytesIn()) + "/" + Text.bytes(r.bytesOut()),
                Text.duration(Duration.ofMillis(r.idleMillis()))});
        }
        out.print(Text.table(table));
        if (rows.size() > limit) {
            out.printf("... %d more (--limit N shows more)%n", rows.size() - limit);
        }
        out.printf("%d client(s)%n", rows.size());
        return 0;
    }

    private int plugins(String args, PrintWriter out) {
        List<AppManager.AppStatus> apps = host.worker().apps().status();
        if (apps.isEmpty()) {
            out.println("no app is running: put an app jar into " + host.config().pluginsDir());
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"APP", "VERSION", "STATE", "LOADED", "EVENTS", "ERRORS", "RELOADS", "LEAKED"});
            for (AppManager.AppStatus a : apps) {
                rows.add(new String[] {Text.fit(a.id(), 14), Text.fit(a.version(), 14), a.state().name(),
                    CLOCK.format(a.loadedAt()), Text.count(a.events()), Text.count(a.errors()), Text.count(a.reloads()),
                    a.leakedVersions().isEmpty() ? "-" : String.join(",", a.leakedVersions())});
            }
            out.print(Text.table(rows));
        }
        for (AppManager.Refusal r : host.worker().apps().refusals()) {
            out.println("refused " + r.jar().getFileName() + ": " + r.reason());
        }
        return 0;
    }

    private int reload(String args, PrintWriter out) throws Exception {
        List<AppManager.Outcome> outcomes = args.isEmpty()
                ? host.worker().apps().reloadAll().get(5, TimeUnit.MINUTES)
                : List.of(host.worker().apps().reload(args).get(5, TimeUnit.MINUTES));
        if (outcomes.isEmpty()) {
            out.println("no app is running");
            return 1;
        }
        outcomes.forEach(o -> out.print(Text.wrap(o.message(), 79)));
        return outcomes.stream().allMatch(AppManager.Outcome::ok) ? 0 : 1;
    }

    private int kick(String args, PrintWriter out) {
        String[] parts = args.split("\\s+", 2);
        if (parts[0].isEmpty()) {
            out.println("usage: " + commands.get("kick").usage());
            return 2;
        }
        String reason = parts.length > 1 ? parts[1] : "kicked";
        if (!host.gateway().kick(parts[0], reason)) {
            out.println("no client " + parts[0] + " on this gateway");
            return 1;
        }
        out.println("closing " + parts[0]);
        return 0;
    }

    private int send(String args, PrintWriter out) {
        String[] parts = args.split("\\s+", 2);
        if (parts.length < 2) {
            out.println("usage: " + commands.get("send").usage());
            return 2;
        }
        if (!host.gateway().send(parts[0], parts[1])) {
            out.println("no client " + parts[0] + " on this gateway");
            return 1;
        }
        out.println("sent to " + parts[0]);
        return 0;
    }

    private int broadcast(String args, PrintWriter out) {
        if (args.isEmpty()) {
            out.println("usage: " + commands.get("broadcast").usage());
            return 2;
        }
        out.println("sent to " + host.gateway().broadcast(args) + " client(s)");
        return 0;
    }

    private int groups(String args, PrintWriter out) throws Exception {
        Map<String, Map<String, Integer>> groups = host.gateway().groups().get(5, TimeUnit.SECONDS);
        if (groups.isEmpty()) {
            out.println("no group has members");
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"APP", "GROUP", "MEMBERS"});
        groups.forEach((app, byGroup) -> byGroup.forEach((group, n) ->
                rows.add(new String[] {Text.fit(app, 16), Text.fit(group, 40), Text.count(n)})));
        out.print(Text.table(rows));
        return 0;
    }

    private int config(String args, PrintWriter out) {
        out.print(ConfigLoader.render(host.config()));
        return 0;
    }

    private int stop(String args, PrintWriter out) {
        List<String> words = args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+"));
        boolean graceful = words.contains("-g");
        Duration timeout = Duration.ofSeconds(300);
        for (String w : words) {
            if (w.matches("\\d+")) {
                timeout = Duration.ofSeconds(Long.parseLong(w));
            } else if (!w.equals("-g")) {
                out.println("usage: " + commands.get("stop").usage());
                return 2;
            }
        }
        out.println(graceful ? "stopping gracefully: no new clients; waiting up to " + timeout.toSeconds()
                + " s for " + host.gateway().clientCount() + " client(s) to leave" : "stopping");
        out.flush();
        stopper.stop(graceful, timeout);
        return 0;
    }

    private int help(String args, PrintWriter out) {
        if (!args.isEmpty()) {
            Command c = commands.get(args);
            if (c == null) {
                out.println("no command '" + args + "'");
                return 2;
            }
            out.println(c.usage());
            out.println("  " + c.summary());
            return 0;
        }
        int width = commands.values().stream().mapToInt(c -> c.usage().length()).max().orElse(0);
        for (Command c : commands.values()) {
            String line = String.format("%-" + Math.min(width, 34) + "s  %s", c.usage(), c.summary());
            out.println(line.length() <= 79 ? line : c.usage() + "\n    " + c.summary());
        }
        return 0;
    }

    /** Parses "--name value" pairs of the given names. */
    private static Map<String, String> options(String args, String... names) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return out;
        }
        List<String> known = List.of(names);
        String[] words = args.split("\\s+");
        for (int i = 0; i < words.length; i++) {
            if (!known.contains(words[i])) {
                throw new IllegalArgumentException("unknown option '" + words[i] + "'");
            }
            if (i + 1 >= words.length) {
                throw new IllegalArgumentException("option " + words[i] + " needs a value");
            }
            out.put(words[i], words[++i]);
        }
        return out;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
