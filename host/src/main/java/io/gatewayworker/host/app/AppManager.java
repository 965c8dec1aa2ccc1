package io.gatewayworker.host.app;

import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import io.gatewayworker.host.config.Limits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
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
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipException;
import org.pf4j.DefaultVersionManager;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginManager;
import org.pf4j.PluginRuntimeException;
import org.pf4j.VersionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads, starts, reloads and stops the apps of a BusinessWorker: one PF4J plugin jar per app, from the
 * {@code plugins/} folder.
 *
 * <h2>Reload</h2>
 * A changed jar (or {@link #reload(String)}) replaces the running version without losing an event:
 * <ol>
 *   <li>the new jar is loaded in a fresh class loader and checked (descriptor, one {@code Events}
 *       extension, its classes load, built against a compatible plugin API) while the old version
 *       keeps serving;</li>
 *   <li>the new version starts ({@code onWorkerStart}); if anything so far fails, it is unloaded and
 *       the reload is refused with a one-line reason: the old version goes on untouched;</li>
 *   <li>the app's dispatch pauses ({@link AppSlot}): events wait in their clients' mailboxes, in
 *       order, and the gateways are slowed down by the credit they do not get back;</li>
 *   <li>the old version's running callbacks finish (bounded wait), its {@code onWorkerStop} runs and
 *       its timers are cancelled;</li>
 *   <li>dispatch resumes on the new version, each mailbox continuing in order;</li>
 *   <li>the old version is unloaded and its class loader watched until it is collected
 *       ({@link LeakWatcher}).</li>
 * </ol>
 * The log states, for each reload, how long dispatch was paused. A jar that is removed: the app's
 * clients are closed (1001) and their {@code onClose} delivered, then the app stops.
 *
 * <h2>Threads</h2>
 * Every PF4J call runs on one owner thread ({@code gw-apps}), since PF4J is not thread-safe; public
 * methods hand their work to it and return futures. App lifecycle callbacks run on a platform thread
 * of their own with the app's class loader as context loader, bounded by {@code limits.app.start-timeout}
 * and {@link #STOP_TIMEOUT}. Each version's other code (client callbacks, timers) runs on virtual threads
 * of its own {@link AppScheduler}.
 * {@link #slot(String)}, the dispatcher's hot path, reads an immutable snapshot.
 *
 * <h2>Jars</h2>
 * Each version is loaded from a content-addressed copy under {@code <data>/apps/}, so the file in
 * {@code plugins/} may be replaced at any time. Only {@code plugins/*.jar} is considered. Before
 * anything in a jar is read, {@link JarInspector} holds it to the {@code limits.app-jar.*} bounds (a
 * decompression bomb is refused in one line, once per content). Of two jars with the same
 * {@code Plugin-Id} the higher {@code Plugin-Version} is used and the other is reported as ignored.
 */
public final class AppManager implements AutoCloseable {

    /** Longest wait for an app's {@code onWorkerStop}: a stop or reload goes on after it. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** At {@link #close()}, the wait for callbacks still running: the host drained the workers before. */
    static final Duration CLOSE_DRAIN = Duration.ofSeconds(1);
    /** Quiet period of the plugins folder before a change is taken. */
    static final Duration WATCH_QUIET = Duration.ofMillis(200);

    private static final Logger log = LoggerFactory.getLogger(AppManager.class);

    private final Path pluginsDir;
    private final Path appsDir;
    private final Function<String, Gateway> gateways;
    private final Limits limits;
    private final ApiClassLoader apiLoader = new ApiClassLoader(AppManager.class.getClassLoader());
    private final VersionManager versions = new DefaultVersionManager();
    private final ExecutorService owner = Executors.newSingleThreadExecutor(r -> hostThread(r, "gw-apps"));
    /** Keeps time for timers and leak checks; cancelled tasks leave its queue at once. */
    private final ScheduledThreadPoolExecutor clock = new ScheduledThreadPoolExecutor(1, r -> hostThread(r, "gw-timers"));
    private final LeakWatcher leaks;
    /** Bounds every jar before anything in it is inflated; package-private for tests. */
    final JarInspector jarInspector;
    private final Map<String, Stats> stats = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Consumer<Collection<AppRuntime>>> listeners = new CopyOnWriteArrayList<>();
    private volatile Function<String, CompletableFuture<Void>> closer = id -> CompletableFuture.completedFuture(null);
    private PluginsWatcher watcher;

    // Owner thread only.
    private final Map<String, Loaded> loaded = new LinkedHashMap<>();
    /** Jar path to the hash of content that was refused: not tried again until it changes. */
    private final Map<Path, String> refusedContent = new LinkedHashMap<>();

    // Written on the owner thread, read anywhere.
    private volatile Map<String, AppSlot> slots = Map.of();
    private volatile List<Refusal> refusals = List.of();

    /**
     * A jar that was not loaded.
     *
     * @param jar the file in the plugins folder
     * @param reason one line: what is wrong and what to do
     */
    public record Refusal(Path jar, String reason) {
    }

    /** What an operator sees of one app ({@code plugins} in the shell); events and errors count every version. */
    public record AppStatus(String id, String version, AppState state, Instant loadedAt, long events, long errors,
                            int reloads, long lastPauseMillis, long longestPauseMillis, List<String> leakedVersions,
                            Path source) {
    }

    /**
     * The result of a reload, an add or a removal.
     *
     * @param app the app id
     * @param ok whether it was done
     * @param message one line for the log and the shell
     * @param reason when refused, why (the message without its preamble); null when ok
     */
    public record Outcome(String app, boolean ok, String message, String reason) {
        @Override
        public String toString() {
            return message;
        }
    }

    private record Candidate(Path path, PluginDescriptor descriptor, String hash, String apiVersion) {
        String id() {
            return descriptor.getPluginId();
        }
    }

    private record Loaded(AppRuntime runtime, PluginManager manager, String hash) {
    }

    /** Per app across its versions; written on the owner thread, read anywhere. */
    private static final class Stats {
        /** Events and errors of the versions that ran before the current one. */
        volatile long eventsBefore;
        volatile long errorsBefore;
        volatile int reloads;
        volatile long lastPauseMillis = -1;
        volatile long longestPauseMillis = -1;
    }

    /**
     * @param pluginsDir the folder whose {@code *.jar} files are the apps
     * @param dataDir where loaded copies of the jars are kept (its {@code apps/} folder)
     * @param gateways makes the {@link Gateway} of an app, given its id
     * @param limits the reload drain timeout and the leak check delay
     */
    public AppManager(Path pluginsDir, Path dataDir, Function<String, Gateway> gateways, Limits limits) {
        this.pluginsDir = pluginsDir;
        this.appsDir = dataDir.resolve("apps");
        this.gateways = gateways;
        this.limits = limits;
        this.clock.setRemoveOnCancelPolicy(true);
        this.clock.prestartAllCoreThreads();
        this.leaks = new LeakWatcher(clock, limits.leakCheckDelay());
        this.jarInspector = new JarInspector(limits, AppManager::hashOrNull);
        // A cached JarFile would keep an unloaded version's copy open.
        URLConnection.setDefaultUseCaches("jar", false);
    }

    /** Called on the owner thread with the running apps after every change. */
    public void addListener(Consumer<Collection<AppRuntime>> listener) {
        listeners.add(listener);
    }

    /**
     * How to close an app's clients before the app is removed: closes them (1001) and completes once
     * their {@code onClose} has run. Set by the worker.
     */
    public void setAppCloser(Function<String, CompletableFuture<Void>> closer) {
        this.closer = closer;
    }

    /** The dispatch slot of an app, or null. Any thread; never blocks. */
    public AppSlot slot(String appId) {
        return slots.get(appId);
    }

    /** The running version of an app, or null. Any thread. */
    public AppRuntime running(String appId) {
        AppSlot slot = slots.get(appId);
        return slot == null ? null : slot.current();
    }

    /** The running versions. Any thread. */
    public Collection<AppRuntime> running() {
        return slots.values().stream().map(AppSlot::current).toList();
    }

    /** The jars the last scan refused or ignored, with the reason. Any thread. */
    public List<Refusal> refusals() {
        return refusals;
    }

    /** One line per running app: version, state, counters, reloads, leaked versions. Any thread. */
    public List<AppStatus> status() {
        List<LeakWatcher.Leak> leaked = leaks.leaks();
        List<AppStatus> out = new ArrayList<>();
        for (AppSlot slot : slots.values()) {
            AppRuntime r = slot.current();
            Stats s = stats.getOrDefault(r.id(), new Stats());
            List<String> versionsLeaked = leaked.stream().filter(l -> l.app().equals(r.id()))
                    .map(LeakWatcher.Leak::version).toList();
            out.add(new AppStatus(r.id(), r.version(), r.state(), r.loadedAt(), s.eventsBefore + r.eventsHandled(),
                    s.errorsBefore + r.errors(),
                    s.reloads, s.lastPauseMillis, s.longestPauseMillis, versionsLeaked, r.source()));
        }
        return out;
    }

    /** Every version whose class loader stayed reachable after it was unloaded. */
    public List<LeakWatcher.Leak> leaks() {
        return leaks.leaks();
    }

    /** The folder apps are loaded from. */
    public Path pluginsDir() {
        return pluginsDir;
    }

    /** Loads and starts every app in the plugins folder. A refused jar is logged; the others still start. */
    public CompletableFuture<List<Outcome>> loadAll() {
        return sync();
    }

    /**
     * Brings the running apps in line with the plugins folder: starts new apps, reloads those whose jar
     * changed, removes those whose jar is gone.
     */
    public CompletableFuture<List<Outcome>> sync() {
        return onOwner(this::doSync);
    }

    /** Reloads one app from its jar, also when the jar did not change (a fresh start of its code). */
    public CompletableFuture<Outcome> reload(String appId) {
        return onOwner(() -> {
            List<Refusal> refused = new ArrayList<>();
            Candidate candidate = chooseJars(refused).get(appId);
            Loaded old = loaded.get(appId);
            if (candidate == null) {
                String reason = "no jar in " + pluginsDir + " has Plugin-Id " + appId;
                return new Outcome(appId, false, "Reload of " + appId + " refused: " + reason, reason);
            }
            Outcome outcome = old == null ? add(candidate) : replace(old, candidate);
            publish();
            return outcome;
        });
    }

    /** Reloads every running app. */
    public CompletableFuture<List<Outcome>> reloadAll() {
        return onOwner(() -> new ArrayList<>(loaded.keySet())).thenCompose(ids -> {
            List<Outcome> outcomes = new ArrayList<>();
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (String id : ids) {
                chain = chain.thenCompose(v -> reload(id).thenAccept(outcomes::add));
            }
            return chain.thenApply(v -> outcomes);
        });
    }

    /** Watches the plugins folder and syncs after each change, until {@link #close()}. */
    public void watch() throws IOException {
        watcher = new PluginsWatcher(pluginsDir, WATCH_QUIET, () -> {
            try {
                sync().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                log.error("Applying the plugins folder failed", e.getCause());
            }
        });
        watcher.start();
    }

    /** Stops every app: {@code onWorkerStop}, then unload. Call it once no more events reach the apps. */
    public CompletableFuture<Void> stopAll() {
        return stopAll(limits.reloadDrainTimeout());
    }

    /**
     * Stops every app, waiting at most {@code drain} per app for its running callbacks first (at a host's
     * stop they had their time already: what still runs then is stuck).
     */
    public CompletableFuture<Void> stopAll(Duration drain) {
        return onOwner(() -> {
            for (String id : new ArrayList<>(loaded.keySet())) {
                Loaded app = loaded.remove(id);
                AppSlot slot = slots.get(id);
                if (slot != null) {
                    // Callbacks still running (a drain that timed out) finish before onWorkerStop.
                    int stuck = slot.pause(drain);
                    if (stuck > 0) {
                        log.warn("App {} {}: {} callback(s) still running; stopping it anyway (they go on until they return)",
                                id, app.runtime.version(), stuck);
                    }
                }
                stopVersion(app);
                if (slot != null) {
                    slot.close();
                }
                unload(app.manager, id);
                log.info("App {} {} stopped", id, app.runtime.version());
            }
            slots = Map.of();
            publish();
            return null;
        });
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        try {
            stopAll(CLOSE_DRAIN).get(STOP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Apps did not stop cleanly: {}", e.toString());
        } finally {
            owner.shutdown();
            clock.shutdownNow();
        }
    }

    // ================================================================== owner thread only below

    private List<Outcome> doSync() throws IOException {
        Files.createDirectories(appsDir);
        List<Refusal> refused = new ArrayList<>();
        Map<Path, String> refusedBefore = new java.util.HashMap<>(refusedContent);
        Map<String, Candidate> candidates = chooseJars(refused);
        List<Outcome> outcomes = new ArrayList<>();
        for (Candidate candidate : candidates.values()) {
            Loaded old = loaded.get(candidate.id());
            if (old != null && old.hash.equals(candidate.hash)) {
                continue; // unchanged
            }
            if (candidate.hash.equals(refusedContent.get(candidate.path))) {
                refused.add(new Refusal(candidate.path, "refused before, unchanged since"));
                continue;
            }
            Outcome outcome = old == null ? add(candidate) : replace(old, candidate);
            if (!outcome.ok()) {
                refusedContent.put(candidate.path, candidate.hash);
                refused.add(new Refusal(candidate.path, outcome.reason()));
            } else {
                refusedContent.remove(candidate.path);
            }
            outcomes.add(outcome);
        }
        for (String id : new ArrayList<>(loaded.keySet())) {
            if (candidates.containsKey(id)) {
                continue;
            }
            Loaded old = loaded.get(id);
            boolean refusedInPlace = refused.stream().anyMatch(r -> r.jar().equals(old.runtime.source()));
            if (refusedInPlace) {
                // Its jar was replaced by one that does not load: the running version stays. Said once.
                Path source = old.runtime.source();
                boolean said = java.util.Objects.equals(refusedBefore.get(source), refusedContent.get(source));
                if (!said) {
                    log.warn("App {} {} keeps serving: the jar that replaced it was refused", id, old.runtime.version());
                }
                continue;
            }
            outcomes.add(remove(old));
        }
        refusals = List.copyOf(refused);
        removeUnusedCopies();
        publish();
        return outcomes;
    }

    /** A new app: load, start, publish. */
    private Outcome add(Candidate candidate) {
        Loaded app;
        try {
            app = load(candidate);
            start(app);
        } catch (AppLoadException e) {
            log.error("App jar {} refused: {}", candidate.path.getFileName(), e.getMessage());
            return new Outcome(candidate.id(), false, "App jar " + candidate.path.getFileName() + " refused: "
                    + e.getMessage(), e.getMessage());
        }
        loaded.put(app.runtime.id(), app);
        stats.computeIfAbsent(app.runtime.id(), k -> new Stats());
        Map<String, AppSlot> next = new LinkedHashMap<>(slots);
        next.put(app.runtime.id(), new AppSlot(app.runtime.id(), app.runtime));
        slots = Map.copyOf(next);
        log.info("App {} {} started (from {})", app.runtime.id(), app.runtime.version(), candidate.path.getFileName());
        return new Outcome(app.runtime.id(), true, "App " + app.runtime.id() + " " + app.runtime.version() + " started", null);
    }

    /** Steps 1 to 6 of a reload (see the class documentation). */
    private Outcome replace(Loaded old, Candidate candidate) {
        String id = candidate.id();
        long begin = System.nanoTime();
        Loaded next;
        try {
            next = load(candidate);
            start(next);
        } catch (AppLoadException e) {
            log.error("Reload of {} refused, {} {} keeps serving: {}", id, id, old.runtime.version(), e.getMessage());
            return new Outcome(id, false, "Reload of " + id + " refused (" + old.runtime.version() + " keeps serving): "
                    + e.getMessage(), e.getMessage());
        }
        AppSlot slot = slots.get(id);
        long pauseBegin = System.nanoTime();
        try {
            int stuck = slot.pause(limits.reloadDrainTimeout());
            if (stuck > 0) {
                log.warn("App {} {}: {} callback(s) still running after {} ms; stopping that version anyway", id,
                        old.runtime.version(), stuck, limits.reloadDrainTimeout().toMillis());
            }
            stopVersion(old);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            slot.resume(next.runtime);
        }
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pauseBegin);
        loaded.put(id, next);
        unloadAndWatch(old);
        Stats s = stats.computeIfAbsent(id, k -> new Stats());
        s.eventsBefore += old.runtime.eventsHandled();
        s.errorsBefore += old.runtime.errors();
        s.reloads++;
        s.lastPauseMillis = pauseMillis;
        s.longestPauseMillis = Math.max(s.longestPauseMillis, pauseMillis);
        long totalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        String message = "App " + id + " reloaded: " + old.runtime.version() + " -> " + next.runtime.version() + " in "
                + totalMillis + " ms; dispatch paused " + pauseMillis + " ms";
        log.info("{} (from {})", message, candidate.path.getFileName());
        return new Outcome(id, true, message, null);
    }

    /** The app's jar is gone: close its clients, then stop it. */
    private Outcome remove(Loaded old) {
        String id = old.runtime.id();
        log.info("The jar of app {} was removed: closing its clients (1001), then stopping it", id);
        // Tell the gateways first: no new client is bound to it while its clients are being closed.
        old.runtime.state(AppState.STOPPING);
        publish();
        CompletableFuture<Void> gone = closer.apply(id);
        try {
            gone.get(limits.reloadDrainTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            gone.cancel(false);
            log.warn("App {}: its clients were not all gone after {} ms; stopping it anyway", id,
                    limits.reloadDrainTimeout().toMillis());
        } catch (ExecutionException e) {
            log.warn("App {}: closing its clients failed: {}", id, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AppSlot slot = slots.get(id);
        try {
            slot.pause(limits.reloadDrainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopVersion(old);
        slot.close();
        Map<String, AppSlot> next = new LinkedHashMap<>(slots);
        next.remove(id);
        slots = Map.copyOf(next);
        loaded.remove(id);
        unloadAndWatch(old);
        log.info("App {} {} removed", id, old.runtime.version());
        return new Outcome(id, true, "App " + id + " " + old.runtime.version() + " removed", null);
    }

    /** Reads every jar's descriptor; keeps the highest version of each id. */
    private Map<String, Candidate> chooseJars(List<Refusal> refused) throws IOException {
        Map<String, Candidate> chosen = new LinkedHashMap<>();
        if (!Files.isDirectory(pluginsDir)) {
            log.warn("Plugins folder {} does not exist; no app is loaded", pluginsDir.toAbsolutePath());
            return chosen;
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
            Candidate candidate;
            try {
                candidate = describe(jar);
            } catch (AppLoadException e) {
                refused.add(new Refusal(jar, e.getMessage()));
                String hash = hashOrNull(jar);
                if (hash == null || !hash.equals(refusedContent.get(jar))) {
                    log.error("App jar {} refused: {}", jar.getFileName(), e.getMessage());
                    refusedContent.put(jar, hash);
                }
                continue;
            }
            Candidate previous = chosen.get(candidate.id());
            if (previous == null) {
                chosen.put(candidate.id(), candidate);
                continue;
            }
            boolean newer = versions.compareVersions(candidate.descriptor.getVersion(), previous.descriptor.getVersion()) > 0;
            Candidate keep = newer ? candidate : previous;
            Candidate drop = newer ? previous : candidate;
            chosen.put(candidate.id(), keep);
            refused.add(new Refusal(drop.path, "ignored: app '" + candidate.id() + "' version "
                    + keep.descriptor.getVersion() + " from " + keep.path.getFileName() + " is higher"));
            log.warn("App '{}' is in two jars: using {} (version {}), ignoring {} (version {})", candidate.id(),
                    keep.path.getFileName(), keep.descriptor.getVersion(), drop.path.getFileName(),
                    drop.descriptor.getVersion());
        }
        return chosen;
    }

    /** Checks that a file is a jar within the bounds ({@link JarInspector}) with a PF4J descriptor in its manifest. */
    private Candidate describe(Path jar) {
        String hash = hashOrNull(jar);
        if (hash == null) {
            throw new AppLoadException("it cannot be read");
        }
        jarInspector.check(jar, hash); // before anything in it is inflated, the manifest included
        String apiVersion;
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getManifest() == null) {
                throw new AppLoadException("it has no META-INF/MANIFEST.MF; an app jar needs Plugin-Id and Plugin-Version in its manifest");
            }
            apiVersion = file.getManifest().getMainAttributes().getValue(ApiVersion.MANIFEST_ATTRIBUTE);
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
        return new Candidate(jar, descriptor, hash, apiVersion);
    }

    /** Step 1: loads a jar in a fresh class loader and checks it. Nothing of it runs yet, but static initializers. */
    private Loaded load(Candidate candidate) {
        String id = candidate.id();
        String incompatible = ApiVersion.incompatibility(candidate.apiVersion);
        if (incompatible != null) {
            throw new AppLoadException(incompatible);
        }
        Path copy = copyOf(candidate);
        AppPluginManager manager = new AppPluginManager(appsDir, apiLoader);
        try {
            String loadedId = manager.loadPlugin(copy);
            ClassLoader loader = manager.getPluginClassLoader(loadedId);
            checkClasses(id, copy, loader);
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
            AppRuntime runtime = new AppRuntime(id, candidate.descriptor.getVersion(), candidate.path, copy,
                    found.get(0), loader, gateways.apply(id), clock, limits.appCarriers());
            return new Loaded(runtime, manager, candidate.hash);
        } catch (AppLoadException e) {
            unload(manager, id);
            throw e;
        } catch (PluginRuntimeException | LinkageError e) {
            unload(manager, id);
            throw new AppLoadException("app '" + id + "' does not load: " + oneLine(e), e);
        }
    }

    /**
     * Loads the extension classes and every class in their packages (without initializing them), so that
     * a class the jar lacks, or a type of another plugin API, is found now rather than in a callback.
     */
    private static void checkClasses(String id, Path jar, ClassLoader loader) {
        List<String> extensions = new ArrayList<>();
        try {
            URL index = loader.getResource("META-INF/extensions.idx");
            if (index != null) {
                try (InputStream in = index.openStream();
                     BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    r.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(extensions::add);
                }
            }
        } catch (IOException e) {
            throw new AppLoadException("app '" + id + "': META-INF/extensions.idx cannot be read: " + e);
        }
        List<String> classes = new ArrayList<>(extensions);
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")) {
                    continue;
                }
                String className = name.substring(0, name.length() - 6).replace('/', '.');
                for (String extension : extensions) {
                    int dot = extension.lastIndexOf('.');
                    if (dot > 0 && className.startsWith(extension.substring(0, dot + 1))) {
                        classes.add(className);
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new AppLoadException("app '" + id + "' cannot be read: " + e);
        }
        for (String className : classes) {
            try {
                Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AppLoadException("class " + className + " of app '" + id + "' does not load: " + oneLine(e)
                        + " (a class missing from the jar, or built against another plugin-api?)");
            }
        }
    }

    /** Step 2: onWorkerStart. On failure the version is unloaded and the exception says why. */
    private void start(Loaded app) {
        AppRuntime runtime = app.runtime;
        try {
            callApp(runtime, "onWorkerStart", limits.appStartTimeout(), () -> {
                runtime.events().onWorkerStart(runtime.context());
                return null;
            });
        } catch (AppLoadException e) {
            runtime.state(AppState.FAILED);
            runtime.timers().cancelAll();
            runtime.threads().retire();
            unload(app.manager, runtime.id());
            throw e;
        }
        runtime.state(AppState.RUNNING);
    }

    /** Step 4: onWorkerStop, then cancel the timers. The class loader stays until unload. */
    private void stopVersion(Loaded app) {
        AppRuntime runtime = app.runtime;
        runtime.state(AppState.STOPPING);
        try {
            callApp(runtime, "onWorkerStop", STOP_TIMEOUT, () -> {
                runtime.events().onWorkerStop(runtime.context());
                return null;
            });
        } catch (AppLoadException e) {
            log.warn("App {} {}: {}", runtime.id(), runtime.version(), e.getMessage());
        }
        runtime.timers().cancelAll();
        runtime.threads().retire();
        runtime.state(AppState.STOPPED);
    }

    /** Step 6: unload, and watch that the class loader goes. */
    private void unloadAndWatch(Loaded app) {
        ClassLoader loader = app.runtime.classLoader();
        unload(app.manager, app.runtime.id());
        leaks.watch(app.runtime.id(), app.runtime.version(), loader);
    }

    /**
     * Runs an app lifecycle callback with the app's context class loader, waiting at most {@code timeout}.
     * It runs on a platform thread of its own, not on the version's carriers nor the JVM's: an
     * {@code onWorkerStart} that never returns (refused after the timeout; Java cannot stop it) then keeps
     * one thread busy, and neither the running version nor the next one loses a carrier to it.
     */
    private static void callApp(AppRuntime runtime, String what, Duration timeout, Callable<Void> call) {
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
        Thread thread = Thread.ofPlatform().daemon().name("app-" + runtime.id() + "-" + runtime.version() + "-" + what)
                .start(task);
        try {
            task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            log.error("App {} {}: {} threw", runtime.id(), runtime.version(), what, cause);
            throw new AppLoadException(what + " of app '" + runtime.id() + "' threw " + oneLine(cause), cause);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AppLoadException(what + " of app '" + runtime.id() + "' did not return within "
                    + timeout.toSeconds() + " s (its thread " + thread.getName() + " is left running: Java cannot stop it)");
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
    private Path copyOf(Candidate candidate) {
        String name = safe(candidate.id()) + "-" + safe(candidate.descriptor.getVersion()) + "-"
                + candidate.hash.substring(0, 16) + ".jar";
        Path copy = appsDir.resolve(name);
        try {
            Files.createDirectories(appsDir);
            if (!Files.exists(copy)) {
                Path tmp = Files.createTempFile(appsDir, ".copy-", ".tmp");
                Files.copy(candidate.path, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (!candidate.hash.equals(hashOrNull(tmp))) {
                    Files.deleteIfExists(tmp);
                    throw new AppLoadException("it changed while it was being copied; it is taken when it is complete");
                }
                Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE);
            }
            return copy;
        } catch (IOException e) {
            throw new AppLoadException("copying it to " + appsDir + " failed: " + e);
        }
    }

    private static String hashOrNull(Path jar) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(jar), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            return null;
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
        List<AppRuntime> running = loaded.values().stream().map(Loaded::runtime).toList();
        for (Consumer<Collection<AppRuntime>> listener : listeners) {
            try {
                listener.accept(running);
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

    /**
     * A daemon thread of the host. Its context class loader is the host's, whatever thread creates it: a
     * thread started lazily from an app's callback would otherwise inherit the app's loader and keep
     * that version alive for ever.
     */
    static Thread hostThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setContextClassLoader(AppManager.class.getClassLoader());
        return t;
    }

    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(" <- ").append(c);
        }
        return sb.toString().replace('\n', ' ');
    }
}
