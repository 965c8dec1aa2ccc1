package io.gatewayworker.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.control.ControlFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control file left by a server that is gone: its pid has exited, or now belongs to an unrelated
 * process ({@code sleep}, started and ended by the test, by its PID). Nothing runs; the commands say
 * "not running" and {@code start} is not blocked.
 */
class StaleControlFileTest {

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void endProcesses() throws InterruptedException {
        for (Process p : started) {
            p.destroy(); // by its PID
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Result(int status, String out, String err) {
    }

    private Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--data");
        all.add(dir.toString());
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            return new Result(Cli.run(all.toArray(String[]::new)), o.toString(StandardCharsets.UTF_8),
                    e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private Process sleep() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        started.add(p);
        return p;
    }

    /** A port on 127.0.0.1 where nothing listens (the OS picked it; it is closed again). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void writeControlFile(String text) throws Exception {
        Files.writeString(ControlFile.path(dir), text);
    }

    @Test
    void aPidNowRunByAnotherProcessIsNotRunningAndDoesNotBlockStart() throws Exception {
        Process sleep = sleep();
        String java = ProcessHandle.current().info().command().orElse("/usr/bin/java");
        writeControlFile("pid=" + sleep.pid() + "\nport=" + closedPort() + "\ntoken=secret\nstarted=2020-01-01T00\\:00\\:00Z\n"
                + "command=" + java + "\n");
        ControlFile file = ControlFile.read(dir);
        assertEquals(ControlFile.State.OTHER, file.liveness().state(), file.liveness().reason());

        Result check = cli("start", "--check");
        assertEquals(Cli.OK, check.status(), "start is not blocked: " + check.err());

        Result status = cli("status");
        assertEquals(Cli.NOT_RUNNING, status.status(), status.err());
        assertTrue(status.err().startsWith("GatewayWorker is not running (removed the stale control file of pid "
                + sleep.pid()), status.err());
        assertTrue(status.err().contains("the pid now belongs to another process"), status.err());
        assertFalse(Files.exists(ControlFile.path(dir)), "the stale file is removed");
        assertTrue(sleep.isAlive(), "the other process is left alone");
    }

    @Test
    void stopOnAReusedPidSaysNotRunningAndLeavesTheProcessAlone() throws Exception {
        Process sleep = sleep();
        writeControlFile("pid=" + sleep.pid() + "\nport=" + closedPort() + "\ntoken=secret\nstarted=2020-01-01T00\\:00\\:00Z\n");
        Result stop = cli("stop");
        assertEquals(Cli.NOT_RUNNING, stop.status(), stop.err());
        assertTrue(stop.err().startsWith("GatewayWorker is not running"), stop.err());
        assertTrue(sleep.isAlive());
    }

    @Test
    void anOlderFileWithoutAStartTimeCountsOnlyIfItsEndpointAnswers() throws Exception {
        Process sleep = sleep();
        writeControlFile("pid=" + sleep.pid() + "\nport=" + closedPort() + "\ntoken=secret\n");
        assertEquals(ControlFile.State.UNVERIFIED, ControlFile.read(dir).liveness().state());
        assertEquals(Cli.OK, cli("start", "--check").status(), "start is not blocked");
        Result stop = cli("stop");
        assertEquals(Cli.NOT_RUNNING, stop.status(), stop.err());
        assertTrue(stop.err().contains("nothing answers on 127.0.0.1:"), stop.err());
        assertFalse(Files.exists(ControlFile.path(dir)));
        assertTrue(sleep.isAlive(), "stop never kills a process that did not answer");
    }

    @Test
    void aFileOfAProcessThatHasExitedIsStale() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        java.time.Instant start = gone.info().startInstant().orElse(java.time.Instant.now());
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        writeControlFile("pid=" + gone.pid() + "\nport=" + closedPort() + "\ntoken=secret\nstarted="
                + start.toString().replace(":", "\\:") + "\n");
        assertEquals(Cli.OK, cli("start", "--check").status());
        Result status = cli("status");
        assertEquals(Cli.NOT_RUNNING, status.status());
        assertTrue(status.err().contains("the process has exited"), status.err());
        assertFalse(Files.exists(ControlFile.path(dir)));
    }

    @Test
    void theFileOfALiveInstanceMeansAlreadyRunning() throws Exception {
        // This test's own JVM, with its own start time: the same process, so start refuses.
        ProcessHandle.Info self = ProcessHandle.current().info();
        writeControlFile("pid=" + ProcessHandle.current().pid() + "\nport=" + closedPort() + "\ntoken=secret\nstarted="
                + self.startInstant().orElseThrow().toString().replace(":", "\\:") + "\n");
        Result check = cli("start", "--check");
        assertEquals(Cli.ALREADY_RUNNING, check.status(), check.err());
        assertTrue(check.err().startsWith("GatewayWorker is already running (pid " + ProcessHandle.current().pid()));
    }
}
