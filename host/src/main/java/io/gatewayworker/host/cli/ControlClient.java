package io.gatewayworker.host.cli;

import io.gatewayworker.host.control.ControlFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sends one command to a running instance through its control endpoint and prints the answer. The
 * instance is found through {@code <data>/control}; a missing file, or one whose process is gone, means
 * "not running".
 */
final class ControlClient {

    private final Path dataDir;

    ControlClient(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The running instance's control file, or null when none runs (a stale file is removed). */
    ControlFile running() {
        ControlFile file = ControlFile.read(dataDir);
        if (file == null) {
            return null;
        }
        if (!file.alive()) {
            try {
                java.nio.file.Files.deleteIfExists(ControlFile.path(dataDir));
                java.nio.file.Files.deleteIfExists(ControlFile.pidFile(dataDir));
            } catch (IOException e) {
                // left for the next start
            }
            return null;
        }
        return file;
    }

    /**
     * Runs {@code line} on the running instance, printing its answer to {@code out}.
     *
     * @return the command's exit status, or {@link Cli#NOT_RUNNING}
     */
    int call(String line, PrintStream out, PrintStream err) {
        ControlFile file = running();
        if (file == null) {
            err.println("GatewayWorker is not running (no live instance in " + dataDir.toAbsolutePath() + ")");
            return Cli.NOT_RUNNING;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", file.port()), 5_000);
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
