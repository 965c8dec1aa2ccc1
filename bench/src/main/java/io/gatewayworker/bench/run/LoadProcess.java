package io.gatewayworker.bench.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One load-generator process ({@link io.gatewayworker.bench.load.LoadGenerator}) as seen from the
 * runner: commands go to its standard input, its {@code @} answers are read back by a reader thread and
 * queued, its other output and its errors go to a log file.
 *
 * <p>Commands are sent and answers awaited by the scenario thread; {@link #kill} may also run from a
 * shutdown hook.
 */
final class LoadProcess implements AutoCloseable {

    private final int index;
    private final Process process;
    private final PrintStream commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path log;

    private LoadProcess(int index, Process process, Path log) {
        this.index = index;
        this.process = process;
        this.log = log;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "load-" + index + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static LoadProcess start(int index, List<String> command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new LoadProcess(index, pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    int index() {
        return index;
    }

    /** Sends one command line. */
    void send(String command) {
        commands.println(command);
        if (commands.checkError()) {
            throw new IllegalStateException("load process " + index + " is gone (it exited "
                    + exitStatus() + "); its log (" + log + "):\n" + tail());
        }
    }

    /**
     * Waits for the next answer, which must start with {@code expected} (such as {@code @connected}), and
     * returns its {@code key=value} fields ({@code error=} takes the rest of the line).
     */
    Map<String, String> await(String expected, long timeoutSeconds) throws InterruptedException {
        String line = answers.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new IllegalStateException("load process " + index + " did not answer " + expected + " within "
                    + timeoutSeconds + " s" + (process.isAlive() ? "" : " (it exited " + exitStatus() + ")")
                    + "; its log (" + log + "):\n" + tail());
        }
        if (line.startsWith("@error")) {
            throw new IllegalStateException("load process " + index + ": " + line.substring(6).trim());
        }
        if (!line.startsWith(expected)) {
            throw new IllegalStateException("load process " + index + " answered '" + abbreviate(line)
                    + "' (expected: " + expected + ")");
        }
        return fields(line.substring(expected.length()));
    }

    /** Parses {@code key=value} fields separated by spaces; {@code error=} takes the rest of the line. */
    static Map<String, String> fields(String text) {
        Map<String, String> out = new HashMap<>();
        String rest = text.trim();
        while (!rest.isEmpty()) {
            if (rest.startsWith("error=")) {
                out.put("error", rest.substring(6));
                break;
            }
            int space = rest.indexOf(' ');
            String field = space < 0 ? rest : rest.substring(0, space);
            int eq = field.indexOf('=');
            if (eq > 0) {
                out.put(field.substring(0, eq), field.substring(eq + 1));
            }
            rest = space < 0 ? "" : rest.substring(space + 1).trim();
        }
        return out;
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintStream logOut = new PrintStream(Files.newOutputStream(log, java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("@")) {
                    answers.add(line);
                } else {
                    logOut.println(line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Asks the process to exit, waits a little, then kills it by PID. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                commands.println("exit");
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM, then SIGKILL after 5 s. */
    void kill() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String exitStatus() {
        return process.isAlive() ? "(still running)" : "with status " + process.exitValue();
    }

    private String tail() {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
