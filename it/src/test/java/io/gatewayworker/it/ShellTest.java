package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.control.AdminCommands;
import io.gatewayworker.host.shell.Shell;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interactive shell, driven through a dumb terminal on piped streams, against a running server. */
class ShellTest {

    @TempDir
    Path dir;

    @Test
    void commandsRunLogsGoAboveThePromptCtrlCClearsTheLineAndStopEndsIt() throws Exception {
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        try (TestHost server = TestHost.start(dir)) {
            AtomicReference<String> stopped = new AtomicReference<>();
            AdminCommands admin = new AdminCommands(server.host(), (graceful, timeout) -> stopped.set("graceful=" + graceful));
            PipedOutputStream keys = new PipedOutputStream();
            PipedInputStream input = new PipedInputStream(keys, 64 * 1024);
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            Terminal terminal = TerminalBuilder.builder().streams(input, screen).dumb(true).type("dumb")
                    .encoding(StandardCharsets.UTF_8).build();
            Shell shell = Shell.on(terminal, admin, dir.resolve("history"));
            // Its own thread: the common pool has one thread here, and the WebSocket client needs it.
            CompletableFuture<Boolean> run = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("shell").start(() -> run.complete(shell.run()));
            try (WsClient client = server.client()) {
                String id = client.next().substring("welcome ".length());
                type(keys, "help\n");
                awaitScreen(screen, "broadcast MESSAGE");
                type(keys, "status\n");
                awaitScreen(screen, "MSG IN/S");
                type(keys, "connections\n");
                awaitScreen(screen, id);
                type(keys, "send " + id + " hello from the shell\n");
                assertEquals("hello from the shell", client.next());
                type(keys, "plugins\n");
                awaitScreen(screen, "probe");

                System.out.println("a log line while the shell runs");
                awaitScreen(screen, "a log line while the shell runs");

                type(keys, "this-line-is-dropped\u0003");
                type(keys, "groups\n");
                awaitScreen(screen, "no group has members");
                type(keys, "statsu\n");
                awaitScreen(screen, "unknown command 'statsu'");

                type(keys, "kick " + id + " bye\n");
                assertEquals(1000, client.awaitClose());
                type(keys, "stop\n");
                assertTrue(run.get(10, TimeUnit.SECONDS), "stop ends the shell");
                assertEquals("graceful=false", stopped.get());
            } finally {
                shell.close();
                admin.close();
            }
            String text = screen.toString(StandardCharsets.UTF_8);
            assertFalse(text.contains("this-line-is-dropped: "), "Ctrl-C dropped the line, it did not run");
            assertFalse(text.contains("unknown command 'this-line-is-dropped"), text);
        }
    }

    private static void type(PipedOutputStream keys, String text) throws Exception {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private static void awaitScreen(ByteArrayOutputStream screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (screen.toString(StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("'" + text + "' did not appear; the screen:\n" + screen.toString(StandardCharsets.UTF_8));
    }

    @Test
    void tabCompletesCommandsAppsClientsAndOptions() throws Exception {
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        try (TestHost server = TestHost.start(dir); WsClient client = server.client()) {
            String id = client.next().substring("welcome ".length());
            AdminCommands admin = new AdminCommands(server.host(), (g, t) -> { });
            Terminal terminal = TerminalBuilder.builder().streams(new PipedInputStream(), new ByteArrayOutputStream())
                    .dumb(true).type("dumb").build();
            try (Shell shell = Shell.on(terminal, admin, null)) {
                assertTrue(shell.complete("").containsAll(List.of("status", "connections", "reload", "kick", "stop")));
                assertEquals(List.of("probe"), shell.complete("reload "));
                assertEquals(List.of(id), shell.complete("kick "));
                assertTrue(shell.complete("connections ").contains("--group"));
            } finally {
                admin.close();
            }
        }
    }
}
