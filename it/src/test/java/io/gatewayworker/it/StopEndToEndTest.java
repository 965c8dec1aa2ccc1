package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        try (ServerProcess server = ServerProcess.builder().jvm("-Dprobe.stopFile=" + stopFile)
                .args("--listen", "ws://127.0.0.1:0", "--plugins", dir.resolve("plugins").toString(),
                        "--data", dir.resolve("data").toString())
                .start()) {
            int port = server.awaitPort();
            WsClient client = WsClient.connect(server.uri(port));
            assertTrue(client.next().startsWith("welcome "));

            server.signal(signal);

            assertEquals(1001, client.awaitClose(), "the client got a close frame before the process ended");
            assertEquals(0, server.awaitExit(30), server.log());
            assertEquals("stopped", Files.readString(stopFile), "onWorkerStop ran\n" + server.log());
            assertTrue(server.log().contains("Stopped in"), server.log());
        }
    }
}
