package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.app.AppManager;
import io.gatewayworker.host.testing.PluginJars;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload with real clients: nothing lost, nothing handled twice, nobody disconnected. */
class ReloadEndToEndTest {

    @TempDir
    Path dir;

    private Path echo(String version) throws Exception {
        return TestApps.echo(dir.resolve("builds"), version);
    }

    private void deploy(Path jar) throws Exception {
        TestApps.deploy(jar, dir.resolve("plugins"), "echo.jar");
    }

    /** Stacks of the server's threads, for a failure message. */
    private static String threads() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("gw-")) {
                sb.append(t.getName()).append(" ").append(t.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 25); i++) {
                    sb.append("    at ").append(stack[i]).append('\n');
                }
            }
        });
        return sb.toString();
    }

    private static int reloads(TestHost server) {
        List<AppManager.AppStatus> status = server.host().worker().apps().status();
        return status.isEmpty() ? 0 : status.get(0).reloads();
    }

    private static void awaitReloads(TestHost server, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reloads(server) < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, reloads(server), "reloads done");
    }

    @Test
    void fiftyClientsLoseNothingWhileTheAppIsReloadedTwentyTimes() throws Exception {
        int clients = 50;
        int messages = 2000;
        int reloadCount = 20;
        Path v1 = echo("1.0.0");
        Path v2 = echo("2.0.0");
        deploy(v1);
        try (TestHost server = TestHost.start(dir)) {
            List<WsClient> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                all.add(server.client());
            }
            ExecutorService senders = Executors.newFixedThreadPool(clients);
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger reloadsWhileSending = new AtomicInteger();
            CompletableFuture<Void> reloader = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 1; i <= reloadCount; i++) {
                        deploy(i % 2 == 1 ? v2 : v1);
                        awaitReloads(server, i, Duration.ofSeconds(20));
                        if (sending.get()) {
                            reloadsWhileSending.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (WsClient client : all) {
                sent.add(CompletableFuture.runAsync(() -> {
                    for (int i = 1; i <= messages; i++) {
                        client.send(Integer.toString(i));
                    }
                }, senders));
            }
            int[] versionSwitches = new int[1];
            for (int c = 0; c < clients; c++) {
                WsClient client = all.get(c);
                String lastVersion = null;
                for (int i = 1; i <= messages; i++) {
                    String reply;
                    try {
                        reply = client.next();
                    } catch (AssertionError e) {
                        CompletableFuture<Void> sender = sent.get(c);
                        String senderState = !sender.isDone() ? "still sending" : sender.isCompletedExceptionally()
                                ? "sending failed: " + sender.handle((v, t) -> String.valueOf(t)).join() : "sent everything";
                        throw new AssertionError("client " + c + " got no reply " + i + " (" + senderState + "); gateway: "
                                + server.host().gateway().flowReport() + "; worker: " + server.host().worker().flowReport()
                                + "\n" + threads(), e);
                    }
                    int colon = reply.indexOf(':');
                    assertEquals(Integer.toString(i), reply.substring(colon + 1),
                            "every message answered once, in order (got " + reply + ")");
                    String version = reply.substring(0, colon);
                    if (lastVersion != null && !lastVersion.equals(version)) {
                        versionSwitches[0]++;
                    }
                    lastVersion = version;
                }
            }
            sending.set(false);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            reloader.get(120, TimeUnit.SECONDS);
            senders.shutdown();
            for (WsClient client : all) {
                client.expectNothing(Duration.ofMillis(1));
                assertFalse(client.isClosed(), "no client was disconnected");
            }
            long longestPause = server.host().worker().apps().status().get(0).longestPauseMillis();
            System.out.printf("%d clients x %d messages in %d ms; %d of %d reloads happened under load; "
                    + "the clients saw the version change %d times; longest dispatch pause %d ms%n", clients, messages,
                    millis, reloadsWhileSending.get(), reloadCount, versionSwitches[0], longestPause);
            assertTrue(longestPause < 1000, "dispatch paused " + longestPause + " ms");
            assertTrue(reloadsWhileSending.get() >= 5, "the reloads overlapped the traffic: " + reloadsWhileSending.get());
            assertTrue(versionSwitches[0] > 0, "clients were served by both versions");
            for (WsClient client : all) {
                client.close();
            }
        }
    }

    @Test
    void aJarDroppedWhileClientsAreConnectedServesWithinTwoSeconds() throws Exception {
        deploy(echo("1.0.0"));
        Path v2 = echo("2.0.0");
        try (TestHost server = TestHost.start(dir); WsClient client = server.client()) {
            assertEquals("1.0.0:a", client.send("a").next());
            // Copy it slowly, in pieces, as a transfer would: it must be taken only once complete.
            byte[] bytes = Files.readAllBytes(v2);
            try (OutputStream out = Files.newOutputStream(dir.resolve("plugins").resolve("echo.jar"))) {
                for (int i = 0; i < bytes.length; i += 1024) {
                    out.write(bytes, i, Math.min(1024, bytes.length - i));
                    out.flush();
                    Thread.sleep(30);
                }
            }
            long complete = System.nanoTime();
            String reply;
            do {
                reply = client.send("b").next();
            } while (!reply.startsWith("2.0.0:") && System.nanoTime() - complete < TimeUnit.SECONDS.toNanos(5));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - complete);
            assertEquals("2.0.0:b", reply);
            assertTrue(millis < 2000, "serving " + millis + " ms after the file was complete");
            awaitReloads(server, 1, Duration.ofSeconds(2)); // counted just after dispatch resumed
            Thread.sleep(300);
            assertEquals(1, reloads(server), "one reload, not one per piece written");
            assertFalse(client.isClosed());
        }
    }

    @Test
    void eachKindOfBrokenJarIsRefusedWhileTheOldVersionKeepsAnswering() throws Exception {
        deploy(echo("1.0.0"));
        String source = Files.readString(Path.of(System.getProperty("gw.app.sources"), "echo", "EchoEvents.java"));
        Path builds = dir.resolve("builds");
        Path notAJar = builds.resolve("not-a-jar.jar");
        Files.createDirectories(builds);
        Files.writeString(notAJar, "not a zip at all");
        Path[] broken = {
            notAJar,
            PluginJars.app("echo", "2.0.0").source(source).withoutDescriptor().fileName("no-descriptor.jar").build(builds),
            PluginJars.app("echo", "2.0.1").source(source.replace("version = context.version();",
                            "version = context.version(); new Helper();"))
                    .source("package test.echo;\nclass Helper extends Missing {}")
                    .source("package test.echo;\nclass Missing {}")
                    .omitClass("test.echo.Missing").fileName("missing-class.jar").build(builds),
            PluginJars.app("echo", "2.0.2").source(source.replace("gateway = context.gateway();",
                            "if (true) throw new IllegalStateException(\"no config\"); gateway = context.gateway();"))
                    .fileName("start-throws.jar").build(builds),
            PluginJars.app("echo", "2.0.3").source(source).manifestEntry("GatewayWorker-Api-Version", "7.0.0")
                    .fileName("other-api.jar").build(builds),
        };
        String[] reasons = {"it is not a jar", "no Plugin-Id", "class test.echo.Helper of app 'echo' does not load",
            "onWorkerStart of app 'echo' threw java.lang.IllegalStateException: no config",
            "it was built against plugin-api 7.0.0"};
        try (TestHost server = TestHost.start(dir); WsClient client = server.client()) {
            assertEquals("1.0.0:a", client.send("a").next());
            AppManager apps = server.host().worker().apps();
            for (int i = 0; i < broken.length; i++) {
                deploy(broken[i]);
                awaitRefusal(apps, reasons[i]);
                assertEquals("1.0.0:b" + i, client.send("b" + i).next(), "the old version still answers");
            }
            assertEquals(0, reloads(server));
            assertFalse(client.isClosed());
        }
    }

    /** Waits until the jar in plugins/ is refused with a reason that contains {@code expected}. */
    private static void awaitRefusal(AppManager apps, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (AppManager.Refusal r : apps.refusals()) {
                if (r.jar().getFileName().toString().equals("echo.jar") && r.reason().contains(expected)) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no refusal with '" + expected + "' within 10 s: " + apps.refusals());
    }

    @Test
    void aRemovedJarClosesItsClientsWith1001AndNewOnesAreRefused() throws Exception {
        deploy(echo("1.0.0"));
        try (TestHost server = TestHost.start(dir); WsClient client = server.client()) {
            assertEquals("1.0.0:a", client.send("a").next());
            Files.delete(dir.resolve("plugins").resolve("echo.jar"));
            assertEquals(1001, client.awaitClose());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.host().worker().apps().status().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(server.host().worker().apps().status().isEmpty(), "the app is gone");
            Thread.sleep(100); // the gateway hears of it
            WsClient late = WsClient.connect(server.uri());
            assertEquals(1013, late.awaitClose(), "no app behind the listener: try again later");
        }
    }
}
