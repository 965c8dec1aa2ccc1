package io.gatewayworker.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server as a separate process ({@code io.gatewayworker.host.Main start}), run from the host module's
 * jar and libraries, with its output collected. Ended by its PID: SIGTERM in {@link #stop()}, a kill in
 * {@link #close()} if it is still running.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on ws://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final StringBuilder log = new StringBuilder();
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ServerProcess(Process process) {
        this.process = process;
        // A thread of its own: blocking the common pool (one thread on two cores) would stall the clients.
        Thread.ofPlatform().daemon().name("server-output-" + process.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** What to run and how. */
    static final class Builder {
        private final List<String> prefix = new ArrayList<>();
        private final List<String> jvm = new ArrayList<>();
        private final List<String> args = new ArrayList<>();

        /** A command the JVM runs under, such as {@code taskset -c 0}. */
        Builder under(String... command) {
            prefix.addAll(List.of(command));
            return this;
        }

        Builder jvm(String... options) {
            jvm.addAll(List.of(options));
            return this;
        }

        /** Arguments of {@code start}. */
        Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        ServerProcess start() throws IOException {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classpath = System.getProperty("gw.host.jar") + java.io.File.pathSeparator
                    + System.getProperty("gw.host.lib") + "/*";
            List<String> command = new ArrayList<>(prefix);
            // A JVM whose parent ignores SIGINT (a background job) cannot handle it: restore the defaults.
            command.addAll(List.of("env", "--default-signal=INT,TERM", javaBin, "--enable-native-access=ALL-UNNAMED",
                    // As bin/gatewayworker runs the server (see there why).
                    "-XX:+ExitOnOutOfMemoryError", "--add-opens", "java.base/java.lang=ALL-UNNAMED"));
            command.addAll(jvm);
            command.addAll(List.of("-cp", classpath, "io.gatewayworker.host.Main", "start",
                    // Internal ports the system picks unless a test sets them: servers of tests run one after another
                    // and one may still be stopping.
                    "--set", "register.address=127.0.0.1:0", "--set", "gateway.address=127.0.0.1:0"));
            command.addAll(args);
            return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** What a command-line run printed and its exit status. */
    record Cli(int status, String output) {
    }

    /**
     * Runs {@code io.gatewayworker.host.Main ARGS} (a command such as {@code status --data DIR}) as its own
     * process, waiting at most {@code seconds}.
     */
    static Cli cli(int seconds, String... args) throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("gw.host.jar") + java.io.File.pathSeparator
                + System.getProperty("gw.host.lib") + "/*";
        List<String> command = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                "io.gatewayworker.host.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("'" + String.join(" ", args) + "' did not answer within " + seconds + " s");
        }
        return new Cli(p.exitValue(), out.join());
    }

    long pid() {
        return process.pid();
    }

    /** Waits (at most {@code seconds}) for a line of output that {@code match} accepts, and returns it. */
    String awaitLine(Predicate<String> match, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null && match.test(line)) {
                return line;
            }
            if (line == null && !process.isAlive()) {
                break;
            }
        }
        throw new AssertionError("the server printed no such line within " + seconds + " s (alive: "
                + process.isAlive() + "):\n" + log());
    }

    /**
     * Waits until {@code count} listeners are open; returns their ports by app ("Listening on
     * ws://127.0.0.1:P for app A").
     */
    java.util.Map<String, Integer> awaitPorts(int count) throws InterruptedException {
        Pattern line = Pattern.compile("Listening on ws://127\\.0\\.0\\.1:(\\d+) for app (\\S+)");
        java.util.Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        while (ports.size() < count) {
            Matcher m = line.matcher(awaitLine(l -> line.matcher(l).find(), 60));
            m.find();
            ports.put(m.group(2), Integer.parseInt(m.group(1)));
        }
        return ports;
    }

    /** Waits for the first public listener and returns its port. */
    int awaitPort() throws InterruptedException {
        Matcher m = LISTENING.matcher(awaitLine(l -> LISTENING.matcher(l).find(), 60));
        m.find();
        return Integer.parseInt(m.group(1));
    }

    URI uri(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    /** Everything the process printed so far. */
    String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** Sends a signal (TERM, INT, KILL, STOP, CONT) to the process, by its PID. */
    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (unless it has exited already), then waits (at most {@code seconds}) for the exit; returns the exit status. */
    int stop(int seconds) throws IOException, InterruptedException {
        if (process.isAlive()) {
            signal("TERM");
        }
        return awaitExit(seconds);
    }

    /** Waits (at most {@code seconds}) for the process to end; returns its exit status. */
    int awaitExit(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not exit within " + seconds + " s:\n" + log());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
