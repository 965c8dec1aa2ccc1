package io.gatewayworker.host.cli;

import io.gatewayworker.host.control.ControlFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends one command to a running instance through its control endpoint and prints the answer. The
 * instance is found through {@code <data>/control}. It runs only if the process the file names is alive
 * and is the one that wrote the file (its start time matches: a pid may be reused after a crash), and,
 * for the commands that talk to it, its endpoint answers. Anything else is "not running"; a file found
 * stale is removed.
 *
 * <p>Runs on the command line's thread; not thread-safe.
 */
final class ControlClient {

    /** How long a probe of an instance that cannot be identified otherwise may take. */
    private static final int PROBE_MILLIS = 5_000;

    /**
     * What the data folder says.
     *
     * @param file the control file, or null when there is none
     * @param liveness the verdict on its process, or null when there is no file
     * @param stale why the file is stale, or null when it is not (or there is none)
     */
    record Lookup(ControlFile file, ControlFile.Liveness liveness, String stale) {
        boolean running() {
            return file != null && stale == null;
        }
    }

    private final Path dataDir;

    ControlClient(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * Reads the control file and judges its process. With {@code probe}, a process that cannot be
     * identified by its start time (an older file) counts as running only if its endpoint answers to
     * the file's token; without, the first request finds out.
     */
    Lookup lookup(boolean probe) {
        ControlFile file = ControlFile.read(dataDir);
        if (file == null) {
            return new Lookup(null, null, null);
        }
        ControlFile.Liveness liveness = file.liveness();
        if (liveness.stale()) {
            return new Lookup(file, liveness, liveness.reason());
        }
        if (probe && liveness.state() == ControlFile.State.UNVERIFIED && !answers(file)) {
            return new Lookup(file, liveness, "nothing answers to its token on 127.0.0.1:" + file.port());
        }
        return new Lookup(file, liveness, null);
    }

    /** Whether the endpoint of {@code file} answers an empty request with {@code .exit 0}. */
    private static boolean answers(ControlFile file) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", file.port()), PROBE_MILLIS);
            socket.setSoTimeout(PROBE_MILLIS);
            OutputStream request = socket.getOutputStream();
            request.write((file.token() + "\t\n").getBytes(StandardCharsets.UTF_8));
            request.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            return ".exit 0".equals(in.readLine());
        } catch (IOException e) {
            return false;
        }
    }

    /** Says that none runs, and why; removes a stale file. */
    void reportNotRunning(Lookup lookup, PrintStream err) {
        if (lookup.file() == null) {
            err.println("GatewayWorker is not running (no live instance in " + dataDir.toAbsolutePath() + ")");
            return;
        }
        lookup.file().delete(dataDir);
        err.println("GatewayWorker is not running (removed the stale control file of pid " + lookup.file().pid()
                + " in " + dataDir.toAbsolutePath() + ": " + lookup.stale() + ")");
    }

    /**
     * Runs {@code line} on the running instance, printing its answer to {@code out}.
     *
     * @return the command's exit status, or {@link Cli#NOT_RUNNING}
     */
    int call(String line, PrintStream out, PrintStream err) {
        Lookup lookup = lookup(false);
        if (!lookup.running()) {
            reportNotRunning(lookup, err);
            return Cli.NOT_RUNNING;
        }
        return call(lookup, line, out, err);
    }

    /**
     * Runs {@code line} on the instance {@code lookup} found running. An endpoint that refuses the
     * connection means "not running": the file is removed unless its process is known to be the one that
     * wrote it (then it is stopping, and removes the file itself).
     */
    int call(Lookup lookup, String line, PrintStream out, PrintStream err) {
        ControlFile file = lookup.file();
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", file.port()), 5_000);
            } catch (ConnectException e) {
                String why = "nothing answers on 127.0.0.1:" + file.port() + " (" + e.getMessage() + ")";
                if (lookup.liveness().state() == ControlFile.State.SAME) {
                    err.println("GatewayWorker is not running (pid " + file.pid() + " still runs, but " + why
                            + "; it may be stopping)");
                } else {
                    reportNotRunning(new Lookup(file, lookup.liveness(), why), err);
                }
                return Cli.NOT_RUNNING;
            }
            socket.setSoTimeout(5 * 60_000);
            OutputStream request = socket.getOutputStream();
            request.write((file.token() + "\t" + line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            request.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String reply;
            while ((reply = in.readLine()) != null) {
                if (reply.startsWith(".exit ")) {
                    return Integer.parseInt(reply.substring(6).strip());
                }
                out.println(reply);
            }
            err.println("GatewayWorker (pid " + file.pid() + ") closed the connection without an answer");
            return Cli.FAILED;
        } catch (IOException e) {
            err.println("GatewayWorker (pid " + file.pid() + ") does not answer on 127.0.0.1:" + file.port() + ": " + e.getMessage());
            return Cli.FAILED;
        }
    }
}
