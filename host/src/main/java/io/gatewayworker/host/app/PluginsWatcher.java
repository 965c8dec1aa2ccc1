package io.gatewayworker.host.app;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the plugins folder and runs {@code onChange} when its {@code *.jar} files have changed and
 * are completely written: no event for a quiet period, sizes and times the same on two looks, and every
 * jar readable as a zip (a jar still being copied is not). Folders and other files are ignored, so
 * builds under {@code plugins/*}{@code /target/} trigger nothing.
 *
 * <p>One daemon thread ({@code gw-plugins-watch}) waits for file events; {@code onChange} runs on it.
 */
final class PluginsWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginsWatcher.class);
    /** Longest wait for a jar that keeps changing or stays unreadable before it is handed on anyway. */
    private static final Duration GIVE_UP = Duration.ofSeconds(60);
    /** How long an unchanged jar may stay unreadable before it counts as broken rather than unfinished. */
    private static final Duration BROKEN_AFTER = Duration.ofSeconds(2);

    private final Path dir;
    private final Duration quiet;
    private final Runnable onChange;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;

    private record Stamp(long size, long modified) {
    }

    PluginsWatcher(Path dir, Duration quiet, Runnable onChange) throws IOException {
        this.dir = dir;
        this.quiet = quiet;
        this.onChange = onChange;
        Files.createDirectories(dir);
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = AppManager.hostThread(this::run, "gw-plugins-watch");
    }

    void start() {
        thread.start();
        log.info("Watching {} for app jars", dir.toAbsolutePath());
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watch.take();
                boolean jars = drain(key);
                if (!jars) {
                    continue;
                }
                settle();
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    log.error("Handling a change of {} failed", dir, e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /**
     * Waits until the jars are quiet, stable and complete. A jar that stays unchanged but unreadable for
     * {@link #BROKEN_AFTER} is handed on as it is (it is broken, not being written).
     */
    private void settle() throws InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        long stableSince = 0;
        Map<Path, Stamp> before = stamps();
        while (System.nanoTime() < deadline && !closed) {
            WatchKey more = watch.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            if (more != null) {
                drain(more);
                before = stamps();
                stableSince = 0;
                continue;
            }
            Map<Path, Stamp> now = stamps();
            if (!now.equals(before)) {
                before = now;
                stableSince = 0;
                continue;
            }
            if (allReadable(now)) {
                return;
            }
            if (stableSince == 0) {
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince >= BROKEN_AFTER.toNanos()) {
                return;
            }
        }
        log.debug("Plugins folder still changing after {} s; handing it on", GIVE_UP.toSeconds());
    }

    /** Takes the events of a key; true when one is about a jar (or events were lost). */
    private boolean drain(WatchKey key) {
        boolean jars = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                jars = true;
            } else if (event.context() instanceof Path p && p.toString().endsWith(".jar")) {
                jars = true;
            }
        }
        key.reset();
        return jars;
    }

    private Map<Path, Stamp> stamps() {
        Map<Path, Stamp> stamps = new HashMap<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path jar : jars) {
                try {
                    BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        stamps.put(jar, new Stamp(a.size(), a.lastModifiedTime().toMillis()));
                    }
                } catch (IOException e) {
                    // vanished meanwhile: the next event says so
                }
            }
        } catch (IOException e) {
            log.debug("Cannot list {}: {}", dir, e.toString());
        }
        return stamps;
    }

    private static boolean allReadable(Map<Path, Stamp> jars) {
        for (Path jar : jars.keySet()) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Objects.requireNonNull(zip.getEntry("META-INF/MANIFEST.MF"));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            // nothing to do
        }
        thread.interrupt();
    }
}
