package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.cli.Cli;
import io.gatewayworker.host.control.ControlFile;
import io.gatewayworker.host.testing.PluginJars;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against a daemon that the test starts as its own process: status, connections,
 * plugins, reload, config, stop; "already running" and "not running" with their exit codes; then
 * the same through bin/gatewayworker, start -d included.
 */
class OperationsEndToEndTest {

    @TempDir
    Path dir;

    /** A command's exit status and its output. */
    private record Result(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(dir.resolve("data").toString());
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int status = Cli.run(all.toArray(String[]::new));
            return new Result(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private void installApiApp() throws Exception {
        Path source = Path.of(System.getProperty("gw.app.sources"), "api", "ApiEvents.java");
        PluginJars.app("api", "1.0.0").source(Files.readString(source)).build(dir.resolve("plugins"));
    }

    private static void assertFits80(Result result) {
        for (String line : result.lines()) {
            assertTrue(line.length() <= 80, "over 80 columns: '" + line + "'");
        }
    }

    /** The server as a daemon process of its own, on a port the system picks; the test ends it by its PID. */
    private Process startDaemon() throws Exception {
        Path log = dir.resolve("daemon.log");
        String classpath = System.getProperty("gw.host.jar") + File.pathSeparator + System.getProperty("gw.host.lib") + "/*";
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.logFile=" + log, "-cp", classpath,
                "io.gatewayworker.host.Main", "start", "--daemon", "--data", dir.resolve("data").toString(),
                "--plugins", dir.resolve("plugins").toString(), "--listen", "ws://127.0.0.1:0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.out").toFile()).start();
    }

    @Test
    void theCommandsWorkAgainstADaemonStartedByTheTest() throws Exception {
        installApiApp();
        Path log = dir.resolve("daemon.log");
        Process daemon = startDaemon();
        try {
            int port = awaitPort(log, daemon);
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(ControlFile.path(dir.resolve("data")))), "the token is the owner's only");
            assertEquals(daemon.pid() + "", Files.readString(ControlFile.pidFile(dir.resolve("data"))).strip());

            WsClient ann = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?uid=ann"));
            WsClient bob = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?uid=bob"));
            String annId = ann.next().substring(3);
            bob.next();
            ann.send("joinGroup|" + annId + "|lobby").expect("joinGroup=ok");

            Result status = cli("status");
            assertEquals(0, status.status(), status.err());
            assertTrue(status.out().contains("ws://127.0.0.1:" + port), status.out());
            assertTrue(status.out().contains("clients  2 connected"), status.out());
            assertTrue(status.out().matches("(?s).*\\napi +1\\.0\\.0 +RUNNING .*"), status.out());
            assertFits80(status);

            Result connections = cli("connections");
            assertEquals(0, connections.status());
            assertTrue(connections.out().contains(annId) && connections.out().contains("lobby"), connections.out());
            assertTrue(connections.out().contains("2 client(s)"), connections.out());
            assertFits80(connections);
            Result onlyBob = cli("connections", "--uid", "bob");
            assertTrue(onlyBob.out().contains("1 client(s)") && onlyBob.out().contains("bob"), onlyBob.out());
            Result inLobby = cli("connections", "--group", "lobby");
            assertTrue(inLobby.out().contains(annId) && inLobby.out().contains("1 client(s)"), inLobby.out());

            Result plugins = cli("plugins");
            assertTrue(plugins.out().contains("api") && plugins.out().contains("RUNNING"), plugins.out());
            assertFits80(plugins);

            Result reload = cli("reload", "api");
            assertEquals(0, reload.status(), reload.err());
            assertTrue(reload.out().startsWith("App api reloaded: 1.0.0 -> 1.0.0"), reload.out());
            assertEquals("ok", ann.send("bindUid|" + annId + "|ann2").next().substring("bindUid=".length()),
                    "the reloaded app answers; the client never noticed");
            assertEquals(1, cli("reload", "nosuchapp").status());

            Result config = cli("config");
            assertTrue(config.out().contains("listen") && config.out().contains("ws://127.0.0.1:0"), config.out());

            Result again = cli("start", "--plugins", dir.resolve("plugins").toString());
            assertEquals(Cli.ALREADY_RUNNING, again.status());
            assertTrue(again.err().startsWith("GatewayWorker is already running (pid " + daemon.pid()), again.err());

            Result stop = cli("stop");
            assertEquals(0, stop.status(), stop.err());
            assertTrue(stop.out().contains("GatewayWorker (pid " + daemon.pid() + ") stopped"), stop.out());
            assertEquals(1001, ann.awaitClose());
            assertEquals(1001, bob.awaitClose());
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, daemon.exitValue());
            assertFalse(Files.exists(ControlFile.path(dir.resolve("data"))), "the control file is gone");

            Result notRunning = cli("status");
            assertEquals(Cli.NOT_RUNNING, notRunning.status());
            assertTrue(notRunning.err().startsWith("GatewayWorker is not running"), notRunning.err());
            assertEquals(Cli.NOT_RUNNING, cli("stop").status());
        } finally {
            daemon.destroyForcibly();
        }
    }

    /**
     * What the shell does, from the command line: groups, send, broadcast and kick against a daemon, with
     * their exit codes (0 done, 1 failed, 2 bad usage), the message words joined as typed.
     */
    @Test
    void theCommandLineSendsBroadcastsKicksAndListsGroupsOfADaemon() throws Exception {
        installApiApp();
        Path log = dir.resolve("daemon.log");
        Process daemon = startDaemon();
        try {
            int port = awaitPort(log, daemon);
            WsClient ann = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?uid=ann"));
            WsClient bob = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?uid=bob"));
            String annId = ann.next().substring(3);
            String bobId = bob.next().substring(3);
            ann.send("joinGroup|" + annId + "|lobby").expect("joinGroup=ok");

            Result groups = cli("groups");
            assertEquals(0, groups.status(), groups.err());
            assertTrue(groups.out().matches("(?s)APP +GROUP +MEMBERS\napi +lobby +1\n"), groups.out());

            Result send = cli("send", annId, "hello", "from", "-the", "command", "line");
            assertEquals(new Result(0, "sent to " + annId + "\n", ""), send);
            assertEquals("hello from -the command line", ann.next());
            Result nobody = cli("send", "7f00000108fc00000000", "hi");
            assertEquals(1, nobody.status());
            assertEquals("no client 7f00000108fc00000000 on this gateway\n", nobody.out());
            Result noMessage = cli("send", annId);
            assertEquals(Cli.USAGE, noMessage.status());
            assertEquals("gatewayworker: missing MESSAGE; usage: send CLIENT MESSAGE\n", noMessage.err());

            Result broadcast = cli("broadcast", "to", "everyone");
            assertEquals(new Result(0, "sent to 2 client(s)\n", ""), broadcast);
            assertEquals("to everyone", ann.next());
            assertEquals("to everyone", bob.next());
            assertEquals(Cli.USAGE, cli("broadcast").status());

            Result kick = cli("kick", bobId, "see", "you");
            assertEquals(new Result(0, "closing " + bobId + "\n", ""), kick);
            assertEquals(1000, bob.awaitClose());
            assertEquals("see you", bob.closeReason());
            assertEquals(1, cli("kick", "7f00000108fc00000000").status());
            assertEquals(Cli.USAGE, cli("kick").status());

            Result clients = cli("clients", "--group", "lobby");
            assertEquals(0, clients.status(), clients.err());
            assertTrue(clients.out().contains(annId) && clients.out().endsWith("1 client(s)\n"), clients.out());

            assertEquals(0, cli("stop").status());
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
            assertEquals(Cli.NOT_RUNNING, cli("send", annId, "hi").status());
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void aStaleControlFileMeansNotRunning() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(ControlFile.path(data), "pid=2147483000\nport=1\ntoken=x\n");
        Result status = cli("status");
        assertEquals(Cli.NOT_RUNNING, status.status());
        assertFalse(Files.exists(ControlFile.path(data)), "the stale file is removed");
    }

    @Test
    void badUsageAndBadConfigurationSayWhatIsWrongInOneLine() {
        Result typo = cli("stauts");
        assertEquals(Cli.USAGE, typo.status());
        assertTrue(typo.err().contains("Did you mean: gatewayworker start or gatewayworker status"), typo.err());
        Result badKey = cli("start", "--set", "limits.frame.max-byte=1");
        assertEquals(Cli.USAGE, badKey.status());
        assertEquals("gatewayworker: option --set limits.frame.max-byte: unknown key 'limits.frame.max-byte'"
                + " (did you mean 'limits.frame.max-bytes'?)", badKey.err().strip());
        Result config = cli("config", "--set", "io.threads=4");
        assertTrue(config.out().contains("io.threads                       = 4"), config.out());
        assertTrue(config.out().contains("(not running"), config.out());
    }

    /** Over the control file of a server that died: start replaces it, and says so in the log. */
    @Test
    void binGatewayworkerStartsADaemonAndStopsIt() throws Exception {
        installApiApp();
        Path script = Path.of(System.getProperty("gw.root"), "bin", "gatewayworker");
        String data = dir.resolve("data").toString();
        Process died = new ProcessBuilder("true").start();
        assertTrue(died.waitFor(10, TimeUnit.SECONDS));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(ControlFile.path(dir.resolve("data")), "pid=" + died.pid() + "\nport=" + closedPort()
                + "\ntoken=old\nstarted=2020-01-01T00\\:00\\:00Z\n");
        ProcessBuilder start = new ProcessBuilder(script.toString(), "start", "-d", "--data", data,
                "--plugins", dir.resolve("plugins").toString(), "--listen", "ws://127.0.0.1:0");
        start.environment().put("GATEWAYWORKER_NO_BUILD", "1");
        start.environment().put("GATEWAYWORKER_LOG_DIR", dir.resolve("logs").toString());
        Result started = run(start);
        assertEquals(0, started.status(), started.out() + started.err());
        assertTrue(started.out().startsWith("GatewayWorker started as a daemon (pid "), started.out());
        Result status = run(new ProcessBuilder(script.toString(), "status", "--data", data));
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("api"), status.out());
        Result again = run(start);
        assertEquals(Cli.ALREADY_RUNNING, again.status(), again.out() + again.err());
        Result stop = run(new ProcessBuilder(script.toString(), "stop", "--data", data));
        assertEquals(0, stop.status(), stop.err());
        assertEquals(Cli.NOT_RUNNING, run(new ProcessBuilder(script.toString(), "status", "--data", data)).status());
        String log = Files.readString(dir.resolve("logs").resolve("gatewayworker.log"));
        assertTrue(log.contains("Stopped in"), log);
        assertTrue(log.contains("Replacing stale control file of pid " + died.pid() + " (the process has exited)"), log);
    }

    /**
     * A server that crashed left its control file, and its pid is now an unrelated process's (a
     * {@code sleep} the test starts, and ends by its PID): start is not blocked, and says in the log
     * that it replaces the stale file; status says not running until then.
     */
    @Test
    void binGatewayworkerStartsOverAControlFileWhosePidWasReused() throws Exception {
        installApiApp();
        Path data = Files.createDirectories(dir.resolve("data"));
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            Files.writeString(ControlFile.path(data), "pid=" + sleep.pid() + "\nport=" + closedPort()
                    + "\ntoken=old\nstarted=2020-01-01T00\\:00\\:00Z\n");
            Path script = Path.of(System.getProperty("gw.root"), "bin", "gatewayworker");
            Result status = run(new ProcessBuilder(script.toString(), "status", "--data", data.toString()));
            assertEquals(Cli.NOT_RUNNING, status.status(), status.out() + status.err());
            assertTrue(status.err().startsWith("GatewayWorker is not running"), status.err());
            Files.writeString(ControlFile.path(data), "pid=" + sleep.pid() + "\nport=" + closedPort()
                    + "\ntoken=old\nstarted=2020-01-01T00\\:00\\:00Z\n");
            String log = startAndStopADaemon(script);
            assertTrue(log.contains("Replacing stale control file of pid " + sleep.pid()
                    + " (the pid now belongs to another process"), log);
            assertTrue(sleep.isAlive(), "the other process is left alone");
        } finally {
            sleep.destroy();
            sleep.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** bin/gatewayworker start -d, status, stop; returns the daemon's log. */
    private String startAndStopADaemon(Path script) throws Exception {
        String data = dir.resolve("data").toString();
        ProcessBuilder start = new ProcessBuilder(script.toString(), "start", "-d", "--data", data,
                "--plugins", dir.resolve("plugins").toString(), "--listen", "ws://127.0.0.1:0");
        start.environment().put("GATEWAYWORKER_NO_BUILD", "1");
        start.environment().put("GATEWAYWORKER_LOG_DIR", dir.resolve("logs").toString());
        Result started = run(start);
        try {
            assertEquals(0, started.status(), started.out() + started.err());
            ControlFile file = ControlFile.read(dir.resolve("data"));
            assertTrue(started.out().startsWith("GatewayWorker started as a daemon (pid " + file.pid() + ")"),
                    started.out());
            Result status = run(new ProcessBuilder(script.toString(), "status", "--data", data));
            assertEquals(0, status.status(), status.err());
            Result stop = run(new ProcessBuilder(script.toString(), "stop", "--data", data));
            assertEquals(0, stop.status(), stop.err());
        } finally {
            // Our daemon, if a failure left it running: ended by its PID.
            ControlFile left = ControlFile.read(dir.resolve("data"));
            if (left != null) {
                ProcessHandle.of(left.pid()).filter(p -> p.info().commandLine().orElse("").contains(data))
                        .ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        return Files.readString(dir.resolve("logs").resolve("gatewayworker.log"));
    }

    /** A port on 127.0.0.1 where nothing listens (the OS picked it; it is closed again). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Result run(ProcessBuilder builder) throws Exception {
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static int awaitPort(Path log, Process daemon) throws Exception {
        Pattern listening = Pattern.compile("Listening on ws://127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            if (Files.exists(log)) {
                Matcher m = listening.matcher(Files.readString(log));
                if (m.find() && Files.exists(ControlFile.path(log.getParent().resolve("data")))) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the daemon did not start: " + (Files.exists(log) ? Files.readString(log) : "no log"));
    }
}
