package io.gatewayworker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.testing.PluginJars;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of single processes of a cluster, with every role in a process of its own (a register, two
 * gateways, two workers) and real WebSocket clients on both gateways, through the app
 * {@code src/test/apps/fault} (it answers each message with the worker that handled it and whether the
 * event came redelivered):
 * <ul>
 *   <li>{@code kill -9} of a worker while the clients send numbered messages: no client is disconnected,
 *       every message is handled at least once and in order per client, and every repeat is marked;
 *   <li>a frozen worker (SIGSTOP) is found out by the heartbeat, and its clients move likewise; thawed,
 *       it links again and runs no onClose for the clients it lost;
 *   <li>a worker stopped gracefully (SIGTERM) first hands its clients to the other worker: no event lost
 *       or repeated, no onClose;
 *   <li>{@code kill -9} of a gateway: onClose runs once for each of its clients when the workers' lease ends.
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterFaultTest {

    private static final int CLIENTS = 50;
    private static final int MESSAGES = 120;
    /** Small heap and quick compiler: five JVMs share two cores here. */
    private static final String[] SMALL_JVM = {"-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};

    @TempDir
    Path dir;
    private final List<ServerProcess> processes = new ArrayList<>();
    private final List<WsClient> clients = new ArrayList<>();
    private int registerPort;

    @BeforeEach
    void buildApp() throws IOException {
        Path source = Path.of(System.getProperty("gw.app.sources"), "fault", "FaultEvents.java");
        PluginJars.app("fault", "1.0.0").source(Files.readString(source)).build(dir.resolve("plugins"));
        registerPort = freePort();
    }

    @AfterEach
    void closeAll() {
        clients.forEach(WsClient::close);
        processes.forEach(ServerProcess::close);
    }

    @Test
    void aKilledWorkersClientsMoveAndItsUnfinishedEventsAreHandedOnInOrder() throws Exception {
        Cluster cluster = startCluster(Duration.ofSeconds(30));
        Map<WsClient, String> firstWorker = connect(cluster, CLIENTS);
        assertTrue(firstWorker.containsValue("w1") && firstWorker.containsValue("w2"),
                "clients are spread over both workers: " + new HashSet<>(firstWorker.values()));

        sendNumbered(firstWorker.keySet(), MESSAGES, MESSAGES / 3, () -> cluster.w1.signal("KILL"));

        int repeats = checkAnswers(firstWorker.keySet(), MESSAGES, "w2");
        System.out.printf("kill -9 of a worker: %d client(s) moved, %d message(s) handed on again (marked redelivered)%n",
                firstWorker.values().stream().filter("w1"::equals).count(), repeats);
        for (WsClient client : firstWorker.keySet()) {
            assertFalse(client.isClosed(), "no client is disconnected");
        }
    }

    @Test
    void aFrozenWorkerIsFoundOutByTheHeartbeatAndItsClientsMove() throws Exception {
        Cluster cluster = startCluster(Duration.ofSeconds(30));
        WsClient watcher = watcher(cluster.endpointB);
        Map<WsClient, String> firstWorker = connect(cluster, 20);

        sendNumbered(firstWorker.keySet(), 60, 20, () -> cluster.w1.signal("STOP"));
        awaitLog(cluster.gatewayA, "Worker w1 unlinked", 20);
        int repeats = checkAnswers(firstWorker.keySet(), 60, "w2");
        System.out.printf("SIGSTOP of a worker: found out, %d message(s) handed on again%n", repeats);

        // Thawed, it links again: the gateways tell it its clients moved; it runs no onClose for them.
        cluster.w1.signal("CONT");
        awaitLog(cluster.w1, "Link to gateway", 30);
        watcher.expectNothing(Duration.ofSeconds(2));
        for (WsClient client : firstWorker.keySet()) {
            client.send("after");
            String answer = client.next();
            assertTrue(answer.startsWith("after|-|"), answer);
            assertFalse(client.isClosed());
        }
    }

    @Test
    void aWorkerStoppedGracefullyHandsItsClientsOverWithoutLosingOrRepeatingAnEvent() throws Exception {
        Cluster cluster = startCluster(Duration.ofSeconds(30));
        WsClient watcher = watcher(cluster.endpointB);
        Map<WsClient, String> firstWorker = connect(cluster, 20);

        long[] termAt = new long[1];
        sendNumbered(firstWorker.keySet(), 60, 20, () -> {
            termAt[0] = System.nanoTime();
            cluster.w1.signal("TERM");
        });
        assertEquals(0, cluster.w1.awaitExit(30), "the worker exits normally");
        System.out.printf("graceful stop of a worker: exited %d ms after SIGTERM%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt[0]));
        System.out.println(cluster.w1.log().lines().filter(l -> l.contains("Stop") || l.contains("move") || l.contains("drain"))
                .collect(java.util.stream.Collectors.joining("\n")));
        assertEquals(0, checkAnswers(firstWorker.keySet(), 60, "w2"), "nothing is handed twice");
        watcher.expectNothing(Duration.ofMillis(500)); // no onClose: the clients live on
        for (WsClient client : firstWorker.keySet()) {
            assertFalse(client.isClosed());
        }
        assertTrue(cluster.w1.log().contains("asking 2 gateway(s) to move its clients"), cluster.w1.log());
    }

    @Test
    void aKilledGatewaysClientsGetOnCloseOnceWhenTheLeaseEnds() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        Cluster cluster = startCluster(lease);
        WsClient watcher = watcher(cluster.endpointB);
        Set<String> idsOnA = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            WsClient client = track(WsClient.connect(cluster.endpointA));
            idsOnA.add(client.next().split("\\|")[2]);
        }

        long killed = System.nanoTime();
        cluster.gatewayA.signal("KILL");
        cluster.gatewayA.awaitExit(10);

        Map<String, Integer> closes = new HashMap<>();
        while (closes.size() < idsOnA.size()) {
            String m = watcher.next(lease.plusSeconds(15));
            String[] parts = m.split("\\|");
            assertEquals("closed", parts[0], m);
            closes.merge(parts[1], 1, Integer::sum);
        }
        long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        watcher.expectNothing(Duration.ofSeconds(2));
        assertEquals(idsOnA, closes.keySet(), "onClose for each client of the lost gateway");
        assertTrue(closes.values().stream().allMatch(n -> n == 1), "once each: " + closes);
        assertTrue(afterMillis >= lease.toMillis() - 500, "not before the lease ended: " + afterMillis + " ms");
        System.out.printf("kill -9 of a gateway: onClose for its %d clients %d ms later (lease %d ms)%n", idsOnA.size(),
                afterMillis, lease.toMillis());
    }

    // ------------------------------------------------------------------ the cluster

    private record Cluster(ServerProcess gatewayA, ServerProcess gatewayB, ServerProcess w1, ServerProcess w2,
                           URI endpointA, URI endpointB) {
    }

    private Cluster startCluster(Duration lease) throws Exception {
        String register = "127.0.0.1:" + registerPort;
        String[] cluster = {"--set", "register.address=" + register, "--set", "cluster.heartbeat=300ms",
                "--set", "cluster.heartbeat-timeout=2s", "--set", "cluster.lease=" + lease.toMillis() + "ms"};
        ServerProcess r = start("register", List.of("--role", "register"), cluster);
        awaitLog(r, "Roles:", 60);
        ServerProcess a = start("gateway-a", List.of("--role", "gateway", "--listen", "fault=ws://127.0.0.1:0"), cluster);
        ServerProcess b = start("gateway-b", List.of("--role", "gateway", "--listen", "fault=ws://127.0.0.1:0"), cluster);
        int portA = a.awaitPort();
        int portB = b.awaitPort();
        ServerProcess w1 = start("w1", List.of("--role", "worker", "--set", "worker.name=w1",
                "--plugins", dir.resolve("plugins").toString()), cluster);
        ServerProcess w2 = start("w2", List.of("--role", "worker", "--set", "worker.name=w2",
                "--plugins", dir.resolve("plugins").toString()), cluster);
        for (ServerProcess gateway : List.of(a, b)) {
            awaitLog(gateway, "Worker w1 linked", 60);
            awaitLog(gateway, "Worker w2 linked", 60);
        }
        return new Cluster(a, b, w1, w2, a.uri(portA), b.uri(portB));
    }

    private ServerProcess start(String name, List<String> roleArgs, String[] cluster) throws IOException {
        List<String> args = new ArrayList<>(roleArgs);
        args.addAll(List.of(cluster));
        args.addAll(List.of("--data", dir.resolve("data-" + name).toString()));
        ServerProcess p = ServerProcess.builder().jvm(SMALL_JVM).jvm("-Dgw.test.worker=" + name)
                .args(args.toArray(String[]::new)).start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the process printed {@code text} (anywhere in its output so far). */
    private static void awaitLog(ServerProcess p, String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!p.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + seconds + " s:\n" + p.log());
            }
            Thread.sleep(50);
        }
    }

    // ------------------------------------------------------------------ clients

    private WsClient track(WsClient client) {
        clients.add(client);
        return client;
    }

    private WsClient watcher(URI endpoint) {
        WsClient watcher = track(WsClient.connect(endpoint));
        assertTrue(watcher.next().startsWith("hello|"));
        watcher.send("watch");
        assertTrue(watcher.next().startsWith("watching|"));
        return watcher;
    }

    /** Connects {@code n} clients, alternating between the gateways; returns the worker each one got. */
    private Map<WsClient, String> connect(Cluster cluster, int n) {
        Map<WsClient, String> workers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            WsClient client = track(WsClient.connect(i % 2 == 0 ? cluster.endpointA : cluster.endpointB));
            String hello = client.next();
            assertTrue(hello.startsWith("hello|"), hello);
            workers.put(client, hello.split("\\|")[1]);
        }
        return workers;
    }

    private interface Fault {
        void run() throws Exception;
    }

    /** Each of {@code senders} sends "1".."count", in rounds; {@code fault} runs after round {@code faultAt}. */
    private static void sendNumbered(Set<WsClient> senders, int count, int faultAt, Fault fault) throws Exception {
        for (int n = 1; n <= count; n++) {
            for (WsClient client : senders) {
                client.send(Integer.toString(n));
            }
            if (n == faultAt) {
                fault.run();
            }
            Thread.sleep(10);
        }
    }

    /**
     * Reads each client's answers until every number up to {@code count} came back; checks that the numbers
     * came first in order, that each repeat is marked redelivered, and that the last answers came from
     * {@code survivor}. Returns the repeats.
     */
    private static int checkAnswers(Iterable<WsClient> all, int count, String survivor) {
        int repeats = 0;
        for (WsClient client : all) {
            Map<Integer, List<String>> seen = new HashMap<>();
            int highest = 0;
            String last = null;
            while (seen.size() < count) {
                String answer = client.next(Duration.ofSeconds(30));
                String[] parts = answer.split("\\|");
                int n = Integer.parseInt(parts[0]);
                if (!seen.containsKey(n)) {
                    assertEquals(highest + 1, n, "numbers come first in order; got " + answer + " after " + highest);
                    highest = n;
                }
                seen.computeIfAbsent(n, k -> new ArrayList<>()).add(parts[1] + parts[2]);
                last = answer;
            }
            assertTrue(last.endsWith("|" + survivor), "the last answers come from the worker left: " + last);
            for (Map.Entry<Integer, List<String>> e : seen.entrySet()) {
                if (e.getValue().size() > 1) {
                    repeats += e.getValue().size() - 1;
                    assertTrue(e.getValue().stream().anyMatch(s -> s.startsWith("r")),
                            "a repeat of " + e.getKey() + " is marked redelivered: " + e.getValue());
                }
            }
        }
        return repeats;
    }
}
