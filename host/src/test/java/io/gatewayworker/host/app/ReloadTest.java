package io.gatewayworker.host.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.api.Gateway;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.testing.PluginJars;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading apps in an AppManager: the new version replaces the old; broken jars leave it alone. */
class ReloadTest {

    @TempDir
    Path dir;
    private AppManager apps;
    private final AtomicInteger closed = new AtomicInteger();

    private static String app(String cls, String version, String extra) {
        return """
                package test.reload;

                import io.gatewayworker.api.*;
                import org.pf4j.Extension;

                @Extension
                public class %s implements Events {
                    public void onWorkerStart(AppContext context) {
                        System.setProperty("test.reload.started", "%s");
                        %s
                    }
                    public void onWorkerStop(AppContext context) {
                        System.setProperty("test.reload.stopped." + "%s", "yes");
                    }
                    public void onMessage(Client client, String message) {
                    }
                }
                """.formatted(cls, version, extra, version);
    }

    private Path plugins() {
        return dir.resolve("plugins");
    }

    private AppManager start(Limits limits) throws Exception {
        apps = new AppManager(plugins(), dir.resolve("data"), id -> (Gateway) null, limits);
        apps.setAppCloser(id -> {
            closed.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
        apps.loadAll().get();
        return apps;
    }

    @AfterEach
    void close() {
        if (apps != null) {
            apps.close();
        }
    }

    /** Writes a version of app "r" over plugins/r.jar, as an operator's copy would. */
    private void put(String version, PluginJars jar) throws Exception {
        Path built = jar.fileName("r-" + version + ".jar").build(dir.resolve("builds"));
        Path tmp = plugins().resolve(".r.jar.tmp");
        Files.createDirectories(plugins());
        Files.copy(built, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, plugins().resolve("r.jar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static PluginJars version(String version) {
        return PluginJars.app("r", version).source(app("R", version, ""));
    }

    @Test
    void versionsWhoseOnWorkerStartNeverReturnsAreRefusedAndTheOldOneKeepsRunningCallbacks() throws Exception {
        put("1.0.0", version("1.0.0"));
        start(Limits.defaults().with(b -> b.appStartTimeout = Duration.ofMillis(300)));
        AppRuntime v1 = apps.running("r");
        String spin = "while (!Boolean.getBoolean(\"test.reload.unspin\")) { Thread.onSpinWait(); }";
        try {
            // As many spinning starts as there are processors: with one shared pool of carriers they would
            // take every carrier, and nothing of the running version could run any more.
            int spinners = Runtime.getRuntime().availableProcessors();
            for (int i = 1; i <= spinners; i++) {
                String v = "2.0." + i;
                put(v, PluginJars.app("r", v).source(app("R", v, spin)));
                List<AppManager.Outcome> outcomes = apps.sync().get();
                assertFalse(outcomes.get(0).ok(), outcomes.toString());
                assertTrue(outcomes.get(0).message().contains("did not return within"), outcomes.get(0).message());
                assertSame(v1, apps.running("r"), "the old version keeps serving");
            }
            CompletableFuture<String> ran = new CompletableFuture<>();
            v1.start(() -> ran.complete(Thread.currentThread().getName()));
            String thread = ran.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(thread.startsWith("app-r-1.0.0"), "on the version's own threads: " + thread);
        } finally {
            System.setProperty("test.reload.unspin", "true");
        }
    }

    @Test
    void anAppCannotEndTheProcess() throws Exception {
        String calls = """
                try { System.exit(3); } catch (SecurityException e) { System.setProperty("test.reload.exit", "refused"); }
                try { Runtime.getRuntime().halt(4); } catch (SecurityException e) { System.setProperty("test.reload.halt", "refused"); }
                try { java.util.function.IntConsumer exit = System::exit; exit.accept(5); }
                catch (SecurityException e) { System.setProperty("test.reload.exitref", "refused"); }
                """;
        put("1.0.0", PluginJars.app("r", "1.0.0").source(app("R", "1.0.0", calls)));
        start(Limits.defaults());
        // Reaching this line at all means the process did not end.
        assertEquals("refused", System.getProperty("test.reload.exit"));
        assertEquals("refused", System.getProperty("test.reload.halt"));
        assertEquals("refused", System.getProperty("test.reload.exitref"));
        assertEquals(AppState.RUNNING, apps.running("r").state(), "the exception was caught in onWorkerStart; the app runs");
    }

    @Test
    void aChangedJarReplacesTheRunningVersion() throws Exception {
        put("1.0.0", version("1.0.0"));
        start(Limits.defaults());
        AppRuntime v1 = apps.running("r");
        AppSlot slot = apps.slot("r");

        put("2.0.0", version("2.0.0"));
        List<AppManager.Outcome> outcomes = apps.sync().get();
        assertEquals(1, outcomes.size());
        assertTrue(outcomes.get(0).ok(), outcomes.toString());
        assertTrue(outcomes.get(0).message().matches("App r reloaded: 1\\.0\\.0 -> 2\\.0\\.0 in \\d+ ms; dispatch paused \\d+ ms"),
                outcomes.get(0).message());
        assertEquals("2.0.0", apps.running("r").version());
        assertSame(slot, apps.slot("r"), "the same slot: mailboxes waiting on it continue on the new version");
        assertEquals(AppState.STOPPED, v1.state());
        assertEquals("yes", System.getProperty("test.reload.stopped.1.0.0"), "onWorkerStop of the old version ran");
        AppManager.AppStatus status = apps.status().get(0);
        assertEquals(1, status.reloads());
        assertTrue(status.lastPauseMillis() >= 0 && status.lastPauseMillis() < 1000, "paused " + status.lastPauseMillis() + " ms");

        assertFalse(openFiles().stream().anyMatch(f -> f.contains(v1.loadedFrom().getFileName().toString())),
                "no file handle stays open on the unloaded version's jar: " + openFiles());
        assertTrue(apps.sync().get().isEmpty(), "an unchanged jar is not reloaded again");
        assertTrue(apps.reload("r").get().ok(), "an explicit reload restarts it anyway");
        assertEquals(2, apps.status().get(0).reloads());
    }

    @Test
    void eachKindOfBrokenJarIsRefusedAndTheOldVersionKeepsServing() throws Exception {
        put("1.0.0", version("1.0.0"));
        start(Limits.defaults());
        AppRuntime v1 = apps.running("r");
        List<String> reasons = new ArrayList<>();

        Files.writeString(plugins().resolve(".broken"), "PK\u0003\u0004 half a zip");
        Files.move(plugins().resolve(".broken"), plugins().resolve("r.jar"), StandardCopyOption.REPLACE_EXISTING);
        reasons.add(refusal());

        put("2.0.0", version("2.0.0").withoutDescriptor());
        reasons.add(refusal());

        put("2.0.1", PluginJars.app("r", "2.0.1").source(app("R", "2.0.1", "new Helper();"))
                .source("package test.reload;\nclass Helper extends Missing {}")
                .source("package test.reload;\nclass Missing {}")
                .omitClass("test.reload.Missing"));
        reasons.add(refusal());

        put("2.0.2", PluginJars.app("r", "2.0.2").source(app("R", "2.0.2", "throw new IllegalStateException(\"cannot start\");")));
        reasons.add(refusal());

        put("2.0.3", version("2.0.3").manifestEntry("GatewayWorker-Api-Version", "9.0.0"));
        reasons.add(refusal());

        put("2.0.4", version("2.0.4").withoutExtensionIndex());
        reasons.add(refusal());

        String all = String.join("\n", reasons);
        assertTrue(reasons.get(0).contains("it is not a jar"), all);
        assertTrue(reasons.get(1).contains("no Plugin-Id"), all);
        assertTrue(reasons.get(2).contains("class test.reload.Helper of app 'r' does not load")
                && reasons.get(2).contains("test/reload/Missing"), all);
        assertTrue(reasons.get(3).contains("onWorkerStart of app 'r' threw java.lang.IllegalStateException: cannot start"), all);
        assertTrue(reasons.get(4).contains("built against plugin-api 9.0.0"), all);
        assertTrue(reasons.get(5).contains("no Events extension found"), all);
        for (String reason : reasons) {
            assertFalse(reason.contains("\n"), "one line: " + reason);
        }
        assertSame(v1, apps.running("r"), "the old version served throughout");
        assertEquals(AppState.RUNNING, v1.state());
        assertEquals(0, apps.status().get(0).reloads());
    }

    /** What this process has open (Linux: the targets of /proc/self/fd); empty elsewhere. */
    private static List<String> openFiles() throws java.io.IOException {
        Path fds = Path.of("/proc/self/fd");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(fds)) {
            return out;
        }
        try (java.util.stream.Stream<Path> list = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                try {
                    out.add(Files.readSymbolicLink(fd).toString());
                } catch (java.io.IOException | UnsupportedOperationException e) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }

    /** Syncs and returns the reason the jar in plugins/ was refused (the old version keeps running). */
    private String refusal() throws Exception {
        List<AppManager.Outcome> outcomes = apps.sync().get();
        if (!outcomes.isEmpty()) {
            assertFalse(outcomes.get(0).ok(), outcomes.toString());
            assertTrue(outcomes.get(0).message().contains("1.0.0 keeps serving") || outcomes.get(0).message().contains("refused"),
                    outcomes.get(0).message());
        }
        return apps.refusals().stream().filter(r -> r.jar().getFileName().toString().equals("r.jar"))
                .map(AppManager.Refusal::reason).findFirst().orElseThrow(() -> new AssertionError("not refused: " + outcomes));
    }

    @Test
    void twoHundredReloadsLeaveNoClassLoaderBehind() throws Exception {
        PluginJars[] builds = {version("1.0.0"), version("2.0.0")};
        Path[] jars = new Path[2];
        for (int i = 0; i < 2; i++) {
            jars[i] = builds[i].fileName("build-" + i + ".jar").build(dir.resolve("builds"));
        }
        Files.createDirectories(plugins());
        Files.copy(jars[0], plugins().resolve("r.jar"));
        start(Limits.defaults());

        List<WeakReference<ClassLoader>> old = new ArrayList<>();
        // Warm up: the first reloads load host classes once.
        for (int i = 0; i < 10; i++) {
            reloadTo(jars[(i + 1) % 2], old);
        }
        settle(old);
        long classesBefore = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        long metaspaceBefore = metaspaceUsed();

        for (int i = 0; i < 200; i++) {
            reloadTo(jars[(i + 1) % 2], old);
        }
        settle(old);
        long classesAfter = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        long metaspaceAfter = metaspaceUsed();

        long collected = old.stream().filter(r -> r.get() == null).count();
        assertEquals(old.size(), collected, "every old class loader is collected");
        assertEquals(210, apps.status().get(0).reloads());
        // Bounds: an app version loads a handful of classes; 200 leaked versions would add well over 400.
        assertTrue(classesAfter - classesBefore < 150, "loaded classes grew by " + (classesAfter - classesBefore));
        assertTrue(metaspaceAfter - metaspaceBefore < 4 * 1024 * 1024,
                "metaspace grew by " + (metaspaceAfter - metaspaceBefore) + " bytes");
        System.out.printf("200 reloads: loaded classes %d -> %d, metaspace %d KiB -> %d KiB%n", classesBefore,
                classesAfter, metaspaceBefore / 1024, metaspaceAfter / 1024);
    }

    private void reloadTo(Path jar, List<WeakReference<ClassLoader>> old) throws Exception {
        ClassLoader before = apps.running("r").classLoader();
        Files.copy(jar, plugins().resolve("r.jar"), StandardCopyOption.REPLACE_EXISTING);
        AppManager.Outcome outcome = apps.reload("r").get();
        assertTrue(outcome.ok(), outcome.toString());
        assertNotSame(before, apps.running("r").classLoader());
        old.add(new WeakReference<>(before));
    }

    private static void settle(List<WeakReference<ClassLoader>> loaders) throws InterruptedException {
        for (int i = 0; i < 100 && loaders.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
    }

    private static long metaspaceUsed() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                return pool.getUsage().getUsed();
            }
        }
        return 0;
    }

    @Test
    void anAppWhoseStartMakesTheFirstTimerDoesNotPinItsClassLoader() throws Exception {
        // The timer thread starts lazily; were it started from the app's callback, it would inherit the
        // app's context class loader and keep the first version alive.
        String timer = "context.timers().every(java.time.Duration.ofSeconds(1), () -> { });";
        put("1.0.0", PluginJars.app("r", "1.0.0").source(app("R", "1.0.0", timer)));
        start(Limits.defaults().withLeakCheckDelay(Duration.ofMillis(200)));
        WeakReference<ClassLoader> v1 = new WeakReference<>(apps.running("r").classLoader());
        put("2.0.0", PluginJars.app("r", "2.0.0").source(app("R", "2.0.0", timer)));
        assertTrue(apps.sync().get().get(0).ok());
        List<WeakReference<ClassLoader>> loaders = List.of(v1);
        settle(loaders);
        assertNull(v1.get(), "the first version's class loader is collected");
        Thread.sleep(1000);
        assertTrue(apps.leaks().isEmpty(), "no leak reported: " + apps.leaks());
    }

    @Test
    void anAppThatLeavesAThreadRunningIsReportedAsLeakingByName() throws Exception {
        put("1.0.0", PluginJars.app("r", "1.0.0").source(app("R", "1.0.0", """
                Thread t = new Thread(() -> {
                    while (true) {
                        try { Thread.sleep(60_000); } catch (InterruptedException e) { return; }
                    }
                }, "forgotten-worker");
                t.setDaemon(true);
                t.start();
                """)));
        start(Limits.defaults().withLeakCheckDelay(Duration.ofMillis(300)));
        put("2.0.0", version("2.0.0"));
        assertTrue(apps.sync().get().get(0).ok());
        for (int i = 0; i < 100 && apps.leaks().isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertEquals(1, apps.leaks().size(), "the leak is reported");
        LeakWatcher.Leak leak = apps.leaks().get(0);
        assertEquals("r", leak.app());
        assertEquals("1.0.0", leak.version());
        assertEquals(List.of("'forgotten-worker'"), leak.threads());
        assertEquals(List.of("1.0.0"), apps.status().get(0).leakedVersions());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("forgotten-worker")) {
                t.interrupt();
            }
        }
    }

    @Test
    void aRemovedJarClosesTheAppsClientsThenStopsIt() throws Exception {
        put("1.0.0", version("1.0.0"));
        start(Limits.defaults());
        WeakReference<ClassLoader> loader = new WeakReference<>(apps.running("r").classLoader());
        Files.delete(plugins().resolve("r.jar"));
        List<AppManager.Outcome> outcomes = apps.sync().get();
        assertEquals("App r 1.0.0 removed", outcomes.get(0).message());
        assertEquals(1, closed.get(), "its clients were closed first");
        assertNull(apps.slot("r"));
        assertTrue(apps.status().isEmpty());
        for (int i = 0; i < 100 && loader.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(loader.get());
    }
}
