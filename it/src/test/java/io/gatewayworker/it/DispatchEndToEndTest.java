package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How events reach an app: in order per client, concurrently across clients, errors contained. */
class DispatchEndToEndTest {

    @TempDir
    static Path dir;
    private static TestHost server;

    @BeforeAll
    static void start() throws Exception {
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        server = TestHost.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient client() {
        WsClient client = server.client();
        assertTrue(client.next().startsWith("welcome "));
        return client;
    }

    @Test
    void aBlockingCallbackDoesNotDelayAnotherClient() throws Exception {
        try (WsClient sleeper = client(); WsClient other = client()) {
            // Warm the path up so the measurement is about blocking, not class loading.
            other.send("ping").expect("pong");

            ExecutorService thread = Executors.newSingleThreadExecutor();
            CompletableFuture<String> slept = CompletableFuture.supplyAsync(() -> sleeper.send("sleep:2000").next(), thread);
            thread.shutdown();
            Thread.sleep(100); // the sleeper's callback is now blocked
            long start = System.nanoTime();
            other.send("ping");
            assertEquals("pong", other.next());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 200, "reply took " + millis + " ms while another client's callback blocked");
            assertFalse(slept.isDone(), "the sleeper is still asleep");
            assertEquals("slept", slept.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aThousandMessagesOfOneClientArriveInOrder() {
        try (WsClient client = client()) {
            for (int i = 1; i <= 1000; i++) {
                client.send("seq:" + i);
            }
            for (int i = 1; i <= 1000; i++) {
                assertEquals("seq-ok:" + i, client.next(), "the app saw message " + i + " out of order");
            }
        }
    }

    @Test
    void manyClientsAtOnceEachKeepTheirOrder() {
        int clients = 20;
        int messages = 200;
        WsClient[] all = new WsClient[clients];
        for (int c = 0; c < clients; c++) {
            all[c] = client();
        }
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            CompletableFuture<?>[] senders = new CompletableFuture<?>[clients];
            for (int c = 0; c < clients; c++) {
                WsClient client = all[c];
                senders[c] = CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= messages; i++) {
                        client.send("seq:" + i);
                    }
                }, threads);
            }
            CompletableFuture.allOf(senders).join();
            for (WsClient client : all) {
                for (int i = 1; i <= messages; i++) {
                    assertEquals("seq-ok:" + i, client.next());
                }
            }
        } finally {
            threads.shutdownNow();
            for (WsClient client : all) {
                client.close();
            }
        }
    }

    @Test
    void anExceptionInOnMessageLeavesTheClientConnected() throws Exception {
        try (WsClient client = client()) {
            client.send("boom");
            client.send("ping");
            assertEquals("pong", client.next(), "the message after the failure is handled");
            client.expectNothing(Duration.ofMillis(200));
            assertFalse(client.isClosed());
            client.send("whoami");
            assertTrue(client.next().matches("[0-9a-f]{20}"));
        }
    }
}
