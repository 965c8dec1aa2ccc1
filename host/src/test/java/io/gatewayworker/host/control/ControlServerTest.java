package io.gatewayworker.host.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.transport.EventLoops;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control endpoint on a real loopback socket (127.0.0.1, a port the OS picks). */
class ControlServerTest {

    @TempDir
    Path data;

    /** Sends one request and returns the whole answer (read for at most 10 s). */
    private static String request(ControlFile file, String line) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", file.port()), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((file.token() + "\t" + line + "\n").getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder answer = new StringBuilder();
            for (String l; (l = in.readLine()) != null; ) {
                answer.append(l).append('\n');
            }
            return answer.toString();
        }
    }

    @Test
    void writesItsControlFileWithTheProcessStartTimeAndDeletesItOnClose() throws Exception {
        try (EventLoops loops = EventLoops.create(1)) {
            ControlServer server = new ControlServer((line, out) -> 0, data);
            server.start(loops, 0);
            ControlFile file = ControlFile.read(data);
            assertNotNull(file);
            assertEquals(ProcessHandle.current().pid(), file.pid());
            assertEquals(ProcessHandle.current().info().startInstant().orElse(null), file.started());
            assertEquals(ControlFile.State.SAME, file.liveness().state(), file.liveness().reason());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ControlFile.path(data))));
            assertEquals(".exit 0\n", request(file, ""));
            server.close();
            assertFalse(Files.exists(ControlFile.path(data)));
        }
    }

    /**
     * Apps may keep every carrier of the virtual-thread scheduler busy; commands run on platform threads
     * of their own, so status still answers.
     */
    @Test
    void commandsAnswerWhileEveryVirtualThreadCarrierIsBusy() throws Exception {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
        AtomicBoolean spin = new AtomicBoolean(true);
        CountDownLatch spinning = new CountDownLatch(carriers);
        List<Thread> spinners = new ArrayList<>();
        try (EventLoops loops = EventLoops.create(1)) {
            ControlServer server = new ControlServer((line, out) -> {
                out.println(line + " on " + (Thread.currentThread().isVirtual() ? "a virtual" : "a platform") + " thread");
                return 0;
            }, data);
            server.start(loops, 0);
            try {
                for (int i = 0; i < carriers; i++) {
                    spinners.add(Thread.ofVirtual().start(() -> {
                        spinning.countDown();
                        while (spin.get()) {
                            Thread.onSpinWait(); // no blocking, no yield: holds its carrier
                        }
                    }));
                }
                assertTrue(spinning.await(10, TimeUnit.SECONDS), "the spinners started");
                assertEquals("status on a platform thread\n.exit 0\n", request(ControlFile.read(data), "status"));
            } finally {
                spin.set(false);
                for (Thread t : spinners) {
                    t.join(10_000);
                }
                server.close();
            }
        }
    }

    @Test
    void theCommandPoolRunsPlatformThreadsUpToItsSize() throws Exception {
        var pool = ControlServer.commandPool(2);
        try {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(2);
            AtomicBoolean virtual = new AtomicBoolean();
            for (int i = 0; i < 2; i++) {
                pool.execute(() -> {
                    virtual.compareAndSet(false, Thread.currentThread().isVirtual());
                    running.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(running.await(10, TimeUnit.SECONDS));
            assertFalse(virtual.get());
            boolean rejected = false;
            try {
                pool.execute(() -> { });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                rejected = true;
            }
            assertTrue(rejected, "bounded: a third command finds no thread");
            release.countDown();
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
