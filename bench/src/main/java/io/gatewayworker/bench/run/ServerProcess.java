package io.gatewayworker.bench.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test, in its own process: the host (started through {@code bin/gatewayworker start}, so
 * with the JVM flags that script uses) or the ceiling. Its output goes to a log file. It is stopped by
 * PID with SIGTERM (a JVM started from a non-interactive script ignores SIGINT), then SIGKILL if it is
 * still there after a grace period.
 *
 * <p>Its standard input stays an open pipe that nobody writes: a console on the host's standard input
 * must see neither input nor end of file.
 *
 * <p>Used by the thread that runs the scenario; {@link #stop} may also run from a shutdown hook.
 */
final class ServerProcess implements AutoCloseable {

    private static final long STOP_GRACE_SECONDS = 30;

    private final String name;
    private final Process process;
    private final Path log;
    private final InetSocketAddress address;
    private final OutputStream stdin;
    private volatile boolean stopped;
    private int exitCode = Integer.MIN_VALUE;

    private ServerProcess(String name, Process process, Path log, InetSocketAddress address) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.address = address;
        this.stdin = process.getOutputStream();
    }

    /**
     * Starts a server.
     *
     * @param command the command line; it must end up running the JVM in the same process (exec)
     * @param env extra environment variables
     */
    static ServerProcess start(String name, List<String> command, java.util.Map<String, String> env, Path workDir,
            Path log, InetSocketAddress address) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new ServerProcess(name, pb.start(), log, address);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    InetSocketAddress address() {
        return address;
    }

    Path log() {
        return log;
    }

    /**
     * Waits until the server is a JVM (the launcher script has exec'd) and accepts TCP connections on its
     * address.
     *
     * @throws IOException naming the reason and the end of the log when it exits or takes too long
     */
    void awaitReady(long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " before it listened on "
                        + address + "; the end of its log (" + log + "):\n" + tail(30));
            }
            if (ProcStat.comm(pid()).equals("java") && accepts()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " did not listen on " + address + " within " + timeoutSeconds
                        + " s; the end of its log (" + log + "):\n" + tail(30));
            }
            Thread.sleep(100);
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(address, 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Stops the server: SIGTERM to its PID, up to {@value #STOP_GRACE_SECONDS} s for it to exit, then
     * SIGKILL to it and to any process it started. Returns its exit status.
     */
    synchronized int stop() {
        if (stopped) {
            return exitCode;
        }
        stopped = true;
        List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        exitCode = process.isAlive() ? Integer.MIN_VALUE : process.exitValue();
        return exitCode;
    }

    @Override
    public void close() {
        stop();
    }

    /** The last {@code lines} lines of the log. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
