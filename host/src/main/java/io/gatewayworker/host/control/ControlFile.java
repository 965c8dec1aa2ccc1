package io.gatewayworker.host.control;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * How commands find a running instance: {@code <data>/control} holds its pid, the process's start time
 * and executable, the loopback port of its control endpoint and a random token that every request must
 * carry. The file is readable only by its owner (mode 600), so only the user who runs the server can
 * command it. Written when the server starts, deleted when it stops.
 *
 * <p>A server that crashed leaves its file behind, and its pid may since belong to another process. So
 * a file counts as live only if its pid runs and that process started when the file says
 * ({@link #liveness()}); files written before the start time was recorded can only be confirmed by
 * their control endpoint answering.
 *
 * @param pid the server's process id
 * @param port the control endpoint's port on 127.0.0.1
 * @param token the secret every request starts with
 * @param started when the server's process started; null in older files, or where the OS does not say
 * @param command the server's executable; null in older files, or where the OS does not say
 */
public record ControlFile(long pid, int port, String token, Instant started, String command) {

    /**
     * How far two readings of one process's start time may differ: the JDK derives it from the boot
     * time, which two JVMs may read a second apart.
     */
    private static final Duration SAME_START = Duration.ofSeconds(2);

    /** What the control file says about its process. */
    public enum State {
        /** Its pid runs and started when the file says: the process that wrote it. */
        SAME,
        /** Its pid runs, and nothing tells whether it is the same process (an older file). */
        UNVERIFIED,
        /** Its pid no longer runs. */
        GONE,
        /** Its pid now belongs to another process. */
        OTHER
    }

    /**
     * The verdict on a control file's process.
     *
     * @param reason why, for a log line or a message: "the process has exited"
     */
    public record Liveness(State state, String reason) {
        /** Whether the file is stale for sure (its process is gone or another one). */
        public boolean stale() {
            return state == State.GONE || state == State.OTHER;
        }
    }

    public static Path path(Path dataDir) {
        return dataDir.resolve("control");
    }

    public static Path pidFile(Path dataDir) {
        return dataDir.resolve("gatewayworker.pid");
    }

    /** A new file for this process with a fresh random token. */
    static ControlFile create(int port) {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        ProcessHandle.Info self = ProcessHandle.current().info();
        return new ControlFile(ProcessHandle.current().pid(), port, HexFormat.of().formatHex(secret),
                self.startInstant().orElse(null), self.command().orElse(null));
    }

    /** This file with another port. */
    ControlFile withPort(int newPort) {
        return new ControlFile(pid, newPort, token, started, command);
    }

    /** The control file in {@code dataDir}, or null when there is none or it cannot be read. */
    public static ControlFile read(Path dataDir) {
        Path file = path(dataDir);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            String token = p.getProperty("token");
            if (token == null) {
                return null;
            }
            return new ControlFile(Long.parseLong(p.getProperty("pid")), Integer.parseInt(p.getProperty("port")),
                    token, instant(p.getProperty("started")), p.getProperty("command"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null; // judged as an older file, by its endpoint
        }
    }

    /**
     * Whether the process this file names still runs and is the one that wrote it: its pid runs, its
     * start time matches (within a second or two) and so does its executable, where both are known.
     */
    public Liveness liveness() {
        ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElse(null);
        if (process == null) {
            return new Liveness(State.GONE, "the process has exited");
        }
        ProcessHandle.Info info = process.info();
        Optional<Instant> start = info.startInstant();
        Optional<String> executable = info.command();
        boolean sameStart = started != null && start.isPresent()
                && Duration.between(started, start.get()).abs().compareTo(SAME_START) <= 0;
        boolean otherStart = started != null && start.isPresent() && !sameStart;
        boolean otherCommand = command != null && executable.isPresent() && !command.equals(executable.get());
        if (otherStart || otherCommand) {
            return new Liveness(State.OTHER, "the pid now belongs to another process: "
                    + executable.orElse("unknown executable") + start.map(s -> " started " + s).orElse("")
                    + (started == null ? "" : ", the server started " + started));
        }
        if (sameStart) {
            return new Liveness(State.SAME, "the process runs, started " + started);
        }
        return new Liveness(State.UNVERIFIED, "the process runs, but the file does not say when it started");
    }

    /** Writes the control file (mode 600) and the pid file, each atomically. */
    void write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("port", Integer.toString(port));
        p.setProperty("token", token);
        if (started != null) {
            p.setProperty("started", started.toString());
        }
        if (command != null) {
            p.setProperty("command", command);
        }
        Path tmp = dataDir.resolve(".control." + pid + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system
        } catch (FileAlreadyExistsException e) {
            // raced with ourselves; write over it
        }
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "GatewayWorker control endpoint; readable by its owner only");
        }
        Files.move(tmp, path(dataDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path pidTmp = dataDir.resolve(".pid." + pid + ".tmp");
        Files.writeString(pidTmp, pid + "\n");
        Files.move(pidTmp, pidFile(dataDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes the files if they are still this one (not a newer instance's). */
    public void delete(Path dataDir) {
        ControlFile current = read(dataDir);
        if (current != null && current.pid == pid && current.token.equals(token)) {
            try {
                Files.deleteIfExists(path(dataDir));
                Files.deleteIfExists(pidFile(dataDir));
            } catch (IOException e) {
                // the next start overwrites them
            }
        }
    }
}
