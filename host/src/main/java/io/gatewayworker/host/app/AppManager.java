package io.gatewayworker.host.app;

import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLConnection;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.zip.ZipException;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.pf4j.PluginRuntimeException;
import org.pf4j.VersionManager;
import org.pf4j.DefaultVersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, starts and stops the apps of a BusinessWorker: one PF4J plugin jar per app, from the
 * {@code plugins/} folder.
 *
 * <p><b>Threads.</b> Every PF4J call runs on one owner thread ({@code gw-apps}), since PF4J is not
 * thread-safe; public methods hand their work to it and return futures. App lifecycle callbacks
 * ({@code onWorkerStart}, {@code onWorkerStop}) run on a virtual thread with the app's class loader as
 * context loader, bounded by {@link #LIFECYCLE_TIMEOUT}. {@link #running(String)}, the dispatcher's hot
 * path, reads an immutable snapshot and never touches PF4J.
 *
 * <p><b>Jars.</b> Each version is loaded from a content-addressed copy under {@code <data>/apps/}, so the
 * file in {@code plugins/} may be replaced at any time. Only {@code plugins/*.jar} is considered;
 * folders (the apps' source modules) are ignored. Of two jars with the same {@code Plugin-Id} the higher
 * {@code Plugin-Version} is used and the other is reported as ignored.
 */
public final class AppManager implements AutoCloseable {

    /** Longest wait for an app's {@code onWorkerStart} or {@code onWorkerStop}. */
    public static final Duration LIFECYCLE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(AppManager.class);

    private final Path pluginsDir;
    private final Path appsDir;
    private final Function<String, Gateway> gateways;
    private final ApiClassLoader apiLoader = new ApiClassLoader(AppManager.class.getClassLoader());
    private final VersionManager versions = new DefaultVersionManager();
    private final ExecutorService owner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gw-apps");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<Collection<AppRuntime>>> listeners = new CopyOnWriteArrayList<>();
    /** Keeps time for every app's timers; cancelled tasks leave its queue at once (no stale app references). */
    private final ScheduledThreadPoolExecutor clock = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "gw-timers");
        t.setDaemon(true);
        return t;
    });

    {
        clock.setRemoveOnCancelPolicy(true);
    }

    /** Owner thread only. */
    private final Map<String, Loaded> loaded = new LinkedHashMap<>();
    /** Jars refused by the last scan, with the reason; written on the owner thread. */
    private volatile List<Refusal> refusals = List.of();

    /**
     * A jar that was not loaded.
     *
     * @param jar the file in the plugins folder
     * @param reason one line: what is wrong and what to do
     */
    public record Refusal(Path jar, String reason) {
    }
    /** Written on the owner thread, read anywhere. */
    private volatile Map<String, AppRuntime> running = Map.of();

    /**
     * @param pluginsDir the folder whose {@code *.jar} files are the apps
     * @param dataDir where loaded copies of the jars are kept (its {@code apps/} folder)
     * @param gateways makes the {@link Gateway} of an app, given its id
     */
    public AppManager(Path pluginsDir, Path dataDir, Function<String, Gateway> gateways) {
        this.pluginsDir = pluginsDir;
        this.appsDir = dataDir.resolve("apps");
        this.gateways = gateways;
        // A cached JarFile would keep an unloaded version's copy open.
        URLConnection.setDefaultUseCaches("jar", false);
    }

    /** Called on the owner thread with the running apps after every change. */
    public void addListener(Consumer<Collection<AppRuntime>> listener) {
        listeners.add(listener);
    }

    /** The running version of an app, or null. Any thread; never blocks. */
    public AppRuntime running(String appId) {
        return running.get(appId);
    }

    /** The running apps. Any thread. */
    public Collection<AppRuntime> running() {
        return running.values();
    }

    /** The jars the last scan refused or ignored, with the reason. Any thread. */
    public List<Refusal> refusals() {
        return refusals;
    }

    /** The folder apps are loaded from. */
    public Path pluginsDir() {
        return pluginsDir;
    }

    /**
     * Loads and starts every app in the plugins folder. A jar that is refused is logged with its
     * reason and skipped; the others still start.
     *
     * @return the apps now running
     */
    public CompletableFuture<Collection<AppRuntime>> loadAll() {
        return onOwner(() -> {
            Files.createDirectories(appsDir);
            List<Refusal> refused = new ArrayList<>();
            for (Candidate candidate : chooseJars(refused)) {
                if (loaded.containsKey(candidate.descriptor.getPluginId())) {
                    continue;
                }
                try {
                    start(load(candidate));
                } catch (AppLoadException e) {
                    refused.add(new Refusal(candidate.path, e.getMessage()));
                    log.error("App jar {} refused: {}", candidate.path.getFileName(), e.getMessage());
                }
            }
            refusals = List.copyOf(refused);
            removeUnusedCopies();
            publish();
            return running.values();
        });
    }

    /**
     * Stops every app: {@code onWorkerStop}, then unload. Call it once no more events reach the apps.
     */
    public CompletableFuture<Void> stopAll() {
        return onOwner(() -> {
            for (String id : new ArrayList<>(loaded.keySet())) {
                stop(loaded.remove(id));
            }
            publish();
            return null;
        });
    }

    @Override
    public void close() {
        try {
            stopAll().get(LIFECYCLE_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Apps did not stop cleanly: {}", e.toString());
        } finally {
            owner.shutdown();
            clock.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- owner thread only below

    private record Candidate(Path path, PluginDescriptor descriptor) {
    }

    private record Loaded(AppRuntime runtime, PluginManager manager) {
    }

    /** Reads every jar's descriptor; keeps the highest version of each id. */
    private List<Candidate> chooseJars(List<Refusal> refused) throws IOException {
        Map<String, Candidate> chosen = new LinkedHashMap<>();
        if (!Files.isDirectory(pluginsDir)) {
            log.warn("Plugins folder {} does not exist; no app is loaded", pluginsDir.toAbsolutePath());
            return List.of();
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(pluginsDir, "*.jar")) {
            for (Path path : stream) {
                if (Files.isRegularFile(path)) {
                    jars.add(path);
                }
            }
        }
        jars.sort(null);
        for (Path jar : jars) {
            PluginDescriptor descriptor;
            try {
                descriptor = describe(jar);
            } catch (AppLoadException e) {
                refused.add(new Refusal(jar, e.getMessage()));
                log.error("App jar {} refused: {}", jar.getFileName(), e.getMessage());
                continue;
            }
            Candidate previous = chosen.get(descriptor.getPluginId());
            if (previous == null) {
                chosen.put(descriptor.getPluginId(), new Candidate(jar, descriptor));
            } else {
                Candidate keep = versions.compareVersions(descriptor.getVersion(), previous.descriptor.getVersion()) > 0
                        ? new Candidate(jar, descriptor) : previous;
                Candidate drop = keep == previous ? new Candidate(jar, descriptor) : previous;
                chosen.put(descriptor.getPluginId(), keep);
                refused.add(new Refusal(drop.path, "ignored: app '" + descriptor.getPluginId() + "' version "
                        + keep.descriptor.getVersion() + " from " + keep.path.getFileName() + " is higher"));
                log.warn("App '{}' is in two jars: using {} (version {}), ignoring {} (version {})",
                        descriptor.getPluginId(), keep.path.getFileName(), keep.descriptor.getVersion(),
                        drop.path.getFileName(), drop.descriptor.getVersion());
            }
        }
        return new ArrayList<>(chosen.values());
    }

    /** Checks that a file is a jar with a PF4J descriptor in its manifest. */
    static PluginDescriptor describe(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getManifest() == null) {
                throw new AppLoadException("it has no META-INF/MANIFEST.MF; an app jar needs Plugin-Id and Plugin-Version in its manifest");
            }
        } catch (ZipException e) {
            throw new AppLoadException("it is not a jar (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new AppLoadException("it cannot be read: " + e);
        }
        PluginDescriptor descriptor;
        try {
            descriptor = new ManifestPluginDescriptorFinder().find(jar);
        } catch (PluginRuntimeException e) {
            throw new AppLoadException("its manifest is not a valid app descriptor: " + e.getMessage()
                    + " (an app jar needs Plugin-Id and Plugin-Version)");
        }
        if (descriptor.getPluginId() == null || descriptor.getPluginId().isBlank()) {
            throw new AppLoadException("its manifest is not a valid app descriptor: no Plugin-Id"
                    + " (an app jar needs Plugin-Id and Plugin-Version)");
        }
        if (descriptor.getVersion() == null || descriptor.getVersion().isBlank()) {
            throw new AppLoadException("its manifest is not a valid app descriptor: no Plugin-Version"
                    + " (an app jar needs Plugin-Id and Plugin-Version)");
        }
        return descriptor;
    }

    private Loaded load(Candidate candidate) {
        String id = candidate.descriptor.getPluginId();
        Path copy = copyOf(candidate.path, candidate.descriptor);
        AppPluginManager manager = new AppPluginManager(appsDir, apiLoader);
        try {
            String loadedId = manager.loadPlugin(copy);
            manager.startPlugin(loadedId);
            List<Events> found = manager.getExtensions(Events.class, loadedId);
            if (found.isEmpty()) {
                throw new AppLoadException("no Events extension found in app '" + id + "': annotate the class that"
                        + " implements io.gatewayworker.api.Events with @org.pf4j.Extension and make sure PF4J's"
                        + " annotation processor runs (META-INF/extensions.idx must be in the jar)");
            }
            if (found.size() > 1) {
                List<String> names = found.stream().map(e -> e.getClass().getName()).toList();
                throw new AppLoadException("app '" + id + "' has " + found.size() + " Events extensions " + names
                        + " (expected: exactly one)");
            }
            Events events = found.get(0);
            ClassLoader loader = manager.getPluginClassLoader(loadedId);
            AppRuntime runtime = new AppRuntime(id, candidate.descriptor.getVersion(), candidate.path, copy,
                    events, loader, gateways.apply(id), clock);
            return new Loaded(runtime, manager);
        } catch (AppLoadException e) {
            unload(manager, id);
            throw e;
        } catch (PluginRuntimeException | LinkageError e) {
            unload(manager, id);
            throw new AppLoadException("app '" + id + "' does not load: " + oneLine(e), e);
        }
    }

    private void start(Loaded app) {
        AppRuntime runtime = app.runtime;
        try {
            callApp(runtime, "onWorkerStart", () -> {
                runtime.events().onWorkerStart(runtime.context());
                return null;
            });
        } catch (AppLoadException e) {
            runtime.state(AppState.FAILED);
            runtime.timers().cancelAll();
            unload(app.manager, runtime.id());
            throw e;
        }
        runtime.state(AppState.RUNNING);
        loaded.put(runtime.id(), app);
        log.info("App {} {} started (from {})", runtime.id(), runtime.version(), runtime.source().getFileName());
    }

    private void stop(Loaded app) {
        AppRuntime runtime = app.runtime;
        runtime.state(AppState.STOPPING);
        try {
            callApp(runtime, "onWorkerStop", () -> {
                runtime.events().onWorkerStop(runtime.context());
                return null;
            });
        } catch (AppLoadException e) {
            log.warn("App {} {}: {}", runtime.id(), runtime.version(), e.getMessage());
        }
        runtime.timers().cancelAll();
        unload(app.manager, runtime.id());
        runtime.state(AppState.STOPPED);
        log.info("App {} {} stopped", runtime.id(), runtime.version());
    }

    /**
     * Runs an app lifecycle callback on a virtual thread with the app's context class loader, waiting at
     * most {@link #LIFECYCLE_TIMEOUT}.
     */
    private static void callApp(AppRuntime runtime, String what, Callable<Void> call) {
        FutureTask<Void> task = new FutureTask<>(() -> {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(runtime.classLoader());
            try {
                return call.call();
            } finally {
                thread.setContextClassLoader(previous);
            }
        });
        Thread thread = Thread.ofVirtual().name("app-" + runtime.id() + "-" + what).start(task);
        try {
            task.get(LIFECYCLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            log.error("App {} {}: {} threw", runtime.id(), runtime.version(), what, cause);
            throw new AppLoadException(what + " of app '" + runtime.id() + "' threw " + oneLine(cause), cause);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AppLoadException(what + " of app '" + runtime.id() + "' did not return within "
                    + LIFECYCLE_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AppLoadException(what + " of app '" + runtime.id() + "' was interrupted");
        }
    }

    private static void unload(PluginManager manager, String id) {
        try {
            // unloadPlugins() rather than stopPlugins(): PF4J 3.15.0's stopPlugins() throws
            // ConcurrentModificationException once a plugin is started.
            manager.unloadPlugins();
        } catch (RuntimeException e) {
            log.warn("Unloading app '{}' failed: {}", id, e.toString());
        }
    }

    /** Copies a jar to {@code apps/<id>-<version>-<sha256 prefix>.jar} unless that copy exists. */
    private Path copyOf(Path jar, PluginDescriptor descriptor) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(jar), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            String name = safe(descriptor.getPluginId()) + "-" + safe(descriptor.getVersion()) + "-" + hash + ".jar";
            Path copy = appsDir.resolve(name);
            if (!Files.exists(copy)) {
                Path tmp = Files.createTempFile(appsDir, ".copy-", ".tmp");
                Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE);
            }
            return copy;
        } catch (IOException e) {
            throw new AppLoadException("copying it to " + appsDir + " failed: " + e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void removeUnusedCopies() {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(appsDir)) {
            for (Path file : stream) {
                boolean used = loaded.values().stream().anyMatch(l -> l.runtime.loadedFrom().equals(file));
                if (!used) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            log.debug("Could not clean {}: {}", appsDir, e.toString());
        }
    }

    private void publish() {
        Map<String, AppRuntime> next = new LinkedHashMap<>();
        loaded.forEach((id, app) -> next.put(id, app.runtime));
        running = Map.copyOf(next);
        for (Consumer<Collection<AppRuntime>> listener : listeners) {
            try {
                listener.accept(running.values());
            } catch (RuntimeException e) {
                log.warn("App listener failed", e);
            }
        }
    }

    private <T> CompletableFuture<T> onOwner(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" <- ").append(c);
        }
        return sb.toString().replace('\n', ' ');
    }
}
