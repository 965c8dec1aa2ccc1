package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping: clients get 1001, the app gets onClose for each and onWorkerStop, the process exits 0. */
class StopEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void stopClosesEveryClientWith1001AndDeliversOnCloseThenOnWorkerStop() throws Exception {
        System.clearProperty("probe.stopped");
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        TestHost server = TestHost.start(dir);
        List<WsClient> clients = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WsClient client = server.client();
            ids.add(client.next().substring("welcome ".length()));
            clients.add(client);
        }
        server.close();
        for (WsClient client : clients) {
            assertEquals(1001, client.awaitClose(), "going away");
        }
        for (String id : ids) {
            assertEquals("true", System.getProperty("probe.closed." + id), "onClose for " + id);
        }
        assertEquals("true", System.getProperty("probe.stopped"), "onWorkerStop ran");
    }

    @Test
    void sigtermStopsTheProcessGracefullyWithStatusZero() throws Exception {
        stopsGracefullyOn("TERM");
    }

    @Test
    void sigintStopsTheProcessGracefullyWithStatusZero() throws Exception {
        stopsGracefullyOn("INT");
    }

    private void stopsGracefullyOn(String signal) throws Exception {
        TestApps.probe(dir.resolve("plugins"), "1.0.0");
        Path stopFile = dir.resolve("stopped.txt");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("gw.host.jar") + java.io.File.pathSeparator
                + System.getProperty("gw.host.lib") + "/*";
        List<String> command = new ArrayList<>();
        // A JVM whose parent ignores SIGINT (a background job) cannot handle it: restore the defaults.
        command.addAll(List.of("env", "--default-signal=INT,TERM"));
        command.addAll(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Dprobe.stopFile=" + stopFile,
                "-cp", classpath, "io.gatewayworker.host.Main", "start",
                "--listen", "ws://127.0.0.1:0", "--plugins", dir.resolve("plugins").toString(),
                "--data", dir.resolve("data").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            StringBuilder log = new StringBuilder();
            // A thread of its own: blocking the common pool (one thread on two cores) would stall the client.
            Thread.ofPlatform().daemon().name("server-output").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        synchronized (log) {
                            log.append(line).append('\n');
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            int port = awaitPort(lines, log);
            WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/"));
            assertTrue(client.next().startsWith("welcome "));

            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);

            assertEquals(1001, client.awaitClose(), "the client got a close frame before the process ended");
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process ended");
            String output;
            synchronized (log) {
                output = log.toString();
            }
            assertEquals(0, process.exitValue(), output);
            assertEquals("stopped", Files.readString(stopFile), "onWorkerStop ran\n" + output);
            assertTrue(output.contains("Stopped in"), output);
        } finally {
            process.destroyForcibly();
        }
    }

    private static int awaitPort(LinkedBlockingQueue<String> lines, StringBuilder log) throws InterruptedException {
        Pattern listening = Pattern.compile("Listening on ws://127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        }
        synchronized (log) {
            throw new AssertionError("the server did not report its port within 30 s:\n" + log);
        }
    }
}
