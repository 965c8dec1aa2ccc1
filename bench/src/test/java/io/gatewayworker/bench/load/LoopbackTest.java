package io.gatewayworker.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.bench.Options;
import io.gatewayworker.bench.Transports;
import io.gatewayworker.bench.ceiling.CeilingServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator against the ceiling over loopback, briefly (a fraction of a second of load each):
 * the commands, the closed echo loop, the broadcast window, and the accounting of losses.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackTest {

    private CeilingServer server;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private LoadGenerator generator;

    @BeforeEach
    void startCeiling() throws InterruptedException {
        server = CeilingServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, Transports.of("epoll"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (generator != null) {
            generator.close();
        }
        server.close();
    }

    private void start(String mode) {
        generator = new LoadGenerator(new Options(new String[] {"--mode", mode, "--port",
                Integer.toString(server.address().getPort()), "--source-addresses", "127.0.1.1-127.0.1.2",
                "--window", "2", "--reply-timeout", "2"}, Set.of()),
                new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    private Map<String, String> run(String command, String answer) throws Exception {
        output.reset();
        generator.execute(command.split(" "));
        String line = output.toString(StandardCharsets.UTF_8).trim();
        assertTrue(line.startsWith(answer), () -> command + " answered " + line);
        return io.gatewayworker.bench.run.TestAccess.fields(line.substring(answer.length()));
    }

    @Test
    void echoLoopCountsRoundTripsAndLosesNothing() throws Exception {
        start("echo");
        assertEquals("5", run("connect 5", "@connected").get("opened"));
        run("start", "@started");
        run("measure", "@ok");
        Thread.sleep(300);
        run("end", "@ok");
        assertEquals("0", run("drain 2", "@drained").get("outstanding"));
        Map<String, String> r = run("report", "@result");
        assertTrue(Long.parseLong(r.get("ops")) > 10, r.get("ops"));
        assertEquals("0", r.get("timeouts"));
        assertEquals("0", r.get("mismatched"));
        assertEquals("0", r.get("closed"));
        assertEquals("5", run("status", "@status").get("open"));
    }

    @Test
    void broadcastReachesEveryReceiverInOrder() throws Exception {
        start("broadcast");
        assertEquals("6", run("connect 6", "@connected").get("opened"));
        run("start", "@started");
        run("measure", "@ok");
        Thread.sleep(300);
        run("end", "@ok");
        assertEquals("0", run("drain 2", "@drained").get("outstanding"));
        Map<String, String> r = run("report", "@result");
        long completed = Long.parseLong(r.get("completed"));
        assertTrue(completed > 5, r.get("completed"));
        assertTrue(Long.parseLong(r.get("ops")) >= completed * 6 - 12, "deliveries " + r.get("ops"));
        assertEquals("0", r.get("undelivered"));
        assertEquals("0", r.get("gaps"));
        assertEquals("0", r.get("duplicates"));
    }

    @Test
    void idleConnectionsStayOpen() throws Exception {
        start("idle");
        assertEquals("20", run("connect 20", "@connected").get("opened"));
        assertEquals("20", run("status", "@status").get("open"));
        assertEquals(20, server.clients());
    }

    @Test
    void aServerThatIsGoneMakesConnectionsFailWithTheReason() throws Exception {
        start("idle");
        server.close();
        Map<String, String> r = run("connect 3", "@connected");
        assertEquals("0", r.get("opened"));
        assertEquals("3", r.get("failed"));
        assertTrue(r.get("error").contains("refused"), r.get("error"));
    }
}
