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
import java.util.HexFormat;
import java.util.Properties;

/**
 * How commands find a running instance: {@code <data>/control} holds its pid, the loopback port of its
 * control endpoint and a random token that every request must carry. The file is readable only by its
 * owner (mode 600), so only the user who runs the server can command it. Written when the server
 * starts, deleted when it stops; a file whose process is gone is stale.
 *
 * @param pid the server's process id
 * @param port the control endpoint's port on 127.0.0.1
 * @param token the secret every request starts with
 */
public record ControlFile(long pid, int port, String token) {

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
        return new ControlFile(ProcessHandle.current().pid(), port, HexFormat.of().formatHex(secret));
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
            return new ControlFile(Long.parseLong(p.getProperty("pid")), Integer.parseInt(p.getProperty("port")),
                    p.getProperty("token"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the process this file names is alive. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Writes the control file (mode 600) and the pid file, each atomically. */
    void write(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("port", Integer.toString(port));
        p.setProperty("token", token);
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

    /** Deletes the files if they are this process's. */
    void delete(Path dataDir) {
        ControlFile current = read(dataDir);
        if (current != null && current.pid == pid) {
            try {
                Files.deleteIfExists(path(dataDir));
                Files.deleteIfExists(pidFile(dataDir));
            } catch (IOException e) {
                // the next start overwrites them
            }
        }
    }
}
