package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One app cannot take the others or the host down (the server as a process of its own, real clients):
 * an app that calls {@code System.exit} is refused and the server goes on; an app whose callbacks keep
 * every core busy leaves a second app, the control endpoint and the stop served.
 */
class IsolationEndToEndTest {

    @TempDir
    Path dir;

    private ServerProcess.Builder server(String... listeners) {
        ServerProcess.Builder builder = ServerProcess.builder()
                .args("--plugins", dir.resolve("plugins").toString(), "--data", dir.resolve("data").toString());
        for (String listener : listeners) {
            builder.args("--listen", listener);
        }
        return builder;
    }

    @Test
    void anAppThatCallsSystemExitIsRefusedAndTheServerKeepsServing() throws Exception {
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        try (ServerProcess server = server("ws://127.0.0.1:0").start()) {
            WsClient client = WsClient.connect(server.uri(server.awaitPort()));
            assertTrue(client.next().startsWith("welcome "));
            client.send("exit:3").send("halt:4").send("exitref:5").send("ping");
            assertEquals("pong", client.next(), "each exit call ended its callback with an exception; nothing else");
            assertTrue(server.isAlive());
            String log = server.log();
            for (String call : List.of("System.exit(3)", "Runtime.halt(4)", "System.exit(5)")) {
                assertTrue(log.contains("App probe 1.0.0 called " + call), "refusal of " + call + " logged\n" + log);
            }
            client.send("ping");
            assertEquals("pong", client.next());
            assertEquals(0, server.stop(30), server.log());
        }
    }

    @Test
    void callbacksThatKeepEveryCoreBusyLeaveTheOtherAppTheControlEndpointAndTheStopServed() throws Exception {
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        TestApps.chat(dir.resolve("plugins"));
        try (ServerProcess server = server("probe=ws://127.0.0.1:0", "chat=ws://127.0.0.1:0")
                .args("--set", "limits.callback.budget=2s").start()) {
            Map<String, Integer> ports = server.awaitPorts(2);
            int cores = Runtime.getRuntime().availableProcessors();
            List<WsClient> spinners = new ArrayList<>();
            for (int i = 0; i < cores; i++) {
                WsClient spinner = WsClient.connect(server.uri(ports.get("probe")));
                assertTrue(spinner.next().startsWith("welcome "));
                spinner.send("spin:120000");
                assertEquals("spinning", spinner.next());
                spinners.add(spinner);
            }
            // Every carrier the probe app has is busy now, for two minutes.
            long start = System.nanoTime();
            WsClient chat = WsClient.connect(server.uri(ports.get("chat")));
            assertTrue(chat.next(Duration.ofSeconds(5)).startsWith("Hello "), "the other app's handshake and onConnect");
            chat.next(Duration.ofSeconds(5)); // its own login notice
            chat.send("hi");
            assertTrue(chat.next(Duration.ofSeconds(5)).endsWith(" said hi"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3000, "the chat app answered in " + millis + " ms while the probe app spins");

            ServerProcess.Cli status = ServerProcess.cli(15, "status", "--data", dir.resolve("data").toString());
            assertEquals(0, status.status(), status.output());
            assertTrue(status.output().contains("probe"), status.output());

            long stopping = System.nanoTime();
            assertEquals(0, server.stop(60), "exit status after SIGTERM\n" + server.log());
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            System.out.printf("isolation: the other app answered in %d ms; stopped in %d ms with %d callbacks spinning%n",
                    millis, stopMillis, cores);
            assertTrue(stopMillis < 30_000, "stopped in " + stopMillis + " ms with callbacks that never return");
            assertTrue(server.log().contains("has run for"), "the callbacks over budget were reported\n" + server.log());
        }
    }
}
