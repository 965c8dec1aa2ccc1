package io.gatewayworker.host.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.api.Gateway;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.testing.PluginJars;
import io.gatewayworker.host.testing.ZipWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decompression bombs in {@code plugins/}: refused before anything in them is inflated, with one line
 * naming the jar, the entry and the bound; not checked again while unchanged; the other jars and the
 * running versions carry on. The bombs are built here, small: a class or an index that unpacks far past
 * a bound made small through {@link Limits}, and directories that lie about sizes.
 */
class JarBombTest {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    /** Small bounds, so that the bombs stay small. The ratio bound (past 1 MiB) stays the default. */
    private static final Limits SMALL = Limits.defaults().with(b -> {
        b.maxAppJarEntryBytes = 512 * KIB;
        b.maxAppJarBytes = MIB;
        b.maxAppJarEntries = 20;
    });
    private static final String BIG = "test/apps/Big.class";
    private static final String INDEX = "META-INF/extensions.idx";

    @TempDir
    static Path builds;
    /** An app jar as a build makes it; the bombs are this plus an entry. */
    private static Path evil;

    @TempDir
    Path dir;
    private AppManager apps;

    @BeforeAll
    static void buildApp() throws Exception {
        evil = PluginJars.app("evil", "1.0.0").source(AppManagerTest.app("evil", "")).build(builds);
    }

    @AfterEach
    void close() {
        if (apps != null) {
            apps.close();
        }
    }

    private Path plugins() {
        return dir.resolve("plugins");
    }

    private AppManager manager(Limits limits) {
        apps = new AppManager(plugins(), dir.resolve("data"), id -> (Gateway) null, limits);
        apps.setAppCloser(id -> CompletableFuture.completedFuture(null));
        return apps;
    }

    @Test
    void bombsAreRefusedWithOneLineEachNotCheckedAgainAndAGoodJarDroppedLaterRuns() throws Exception {
        evil("class-bomb").addFilled(BIG, (byte) 0, MIB).write(plugins().resolve("class-bomb.jar"));
        long indexSize = indexSize();
        evil("index-bomb").pad(INDEX, (byte) '\n', MIB).declare(INDEX, indexSize).write(plugins().resolve("index-bomb.jar"));
        evil("lying-bomb").addFilled(BIG, (byte) 0, MIB).declare(BIG, KIB).write(plugins().resolve("lying-bomb.jar"));
        manager(SMALL);

        String log = logOf(() -> apps.sync().get(30, TimeUnit.SECONDS));
        assertTrue(apps.running().isEmpty());
        Map<String, String> reasons = reasons();
        assertEquals(3, reasons.size(), reasons.toString());
        assertTrue(reasons.get("class-bomb.jar").startsWith("entry " + BIG + " declares 1 MiB unpacked, more than 512 KiB"
                + " (limits.app-jar.max-entry-bytes); "), reasons.toString());
        assertTrue(reasons.get("index-bomb.jar").startsWith("entry " + INDEX + " inflates to more than 512 KiB"
                + " (limits.app-jar.max-entry-bytes), although the jar declares " + indexSize + " bytes for it; "),
                reasons.toString());
        assertTrue(reasons.get("lying-bomb.jar").startsWith("entry " + BIG + " inflates to more than 512 KiB"
                + " (limits.app-jar.max-entry-bytes), although the jar declares 1 KiB for it; "), reasons.toString());
        for (String jar : reasons.keySet()) {
            List<String> lines = linesAbout(log, jar);
            assertEquals(1, lines.size(), "one line for " + jar + ":\n" + log);
            assertTrue(lines.get(0).contains("App jar " + jar + " refused: " + reasons.get(jar)), lines.get(0));
        }
        assertNoErrorStack(log);

        long inflated = apps.jarInspector.inflatedBytes();
        log = logOf(() -> apps.sync().get(30, TimeUnit.SECONDS));
        assertEquals(inflated, apps.jarInspector.inflatedBytes(), "an unchanged bomb is not inflated again");
        assertEquals(reasons, reasons(), "still listed as refused, with the same reasons");
        for (String jar : reasons.keySet()) {
            assertEquals(List.of(), linesAbout(log, jar), "nothing said again about " + jar);
        }

        PluginJars.app("afterbomb", "1.0.0").source(AppManagerTest.app("afterbomb", "")).build(plugins());
        log = logOf(() -> apps.sync().get(30, TimeUnit.SECONDS));
        AppRuntime good = apps.running("afterbomb");
        assertNotNull(good, "a good jar dropped after the bombs is deployed:\n" + log);
        assertEquals(AppState.RUNNING, good.state());
        assertEquals("afterbomb 1.0.0", System.getProperty("test.app.afterbomb.started"), "its onWorkerStart ran");
        assertNotNull(apps.slot("afterbomb"), "its events are dispatched");
        for (String jar : reasons.keySet()) {
            assertEquals(List.of(), linesAbout(log, jar), "nothing said again about " + jar);
        }
    }

    @Test
    void aBombInPlaceOfARunningAppIsRefusedOnceAndTheOldVersionKeepsServing() throws Exception {
        put(PluginJars.app("r", "1.0.0").source(AppManagerTest.app("r", "")).build(builds.resolve("r1")));
        manager(SMALL).loadAll().get(30, TimeUnit.SECONDS);
        AppRuntime v1 = apps.running("r");
        assertNotNull(v1);

        Path v2 = PluginJars.app("r", "2.0.0").source(AppManagerTest.app("r", "")).build(builds.resolve("r2"));
        put(ZipWriter.copyOf(v2).addFilled("test/apps/Big.class", (byte) 0, MIB).declare("test/apps/Big.class", KIB)
                .write(builds.resolve("r2").resolve("bomb.jar")));
        String log = logOf(() -> apps.sync().get(30, TimeUnit.SECONDS));
        assertSame(v1, apps.running("r"), "the old version serves on");
        assertEquals(AppState.RUNNING, v1.state());
        assertTrue(reasons().get("r.jar").contains("(limits.app-jar.max-entry-bytes)"), reasons().toString());
        assertEquals(1, linesAbout(log, "r.jar").size(), log);
        assertEquals(1, linesAbout(log, "App r 1.0.0 keeps serving").size(), log);
        assertNoErrorStack(log);

        log = logOf(() -> apps.sync().get(30, TimeUnit.SECONDS));
        assertSame(v1, apps.running("r"));
        assertEquals(List.of(), linesAbout(log, "r.jar"), log);
        assertEquals(List.of(), linesAbout(log, "App r "), "a refusal already reported is not repeated:\n" + log);

        put(PluginJars.app("r", "3.0.0").source(AppManagerTest.app("r", "")).build(builds.resolve("r3")));
        List<AppManager.Outcome> outcomes = apps.sync().get(30, TimeUnit.SECONDS);
        assertEquals(1, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.get(0).message().startsWith("App r reloaded: 1.0.0 -> 3.0.0"), outcomes.toString());
        assertEquals(AppState.STOPPED, v1.state());
    }

    @Test
    void everyBoundCountsWhatTheEntriesReallyInflateTo() throws Exception {
        ZipWriter many = evil("many");
        for (int i = 0; i < 25; i++) {
            many.add("res/" + i + ".txt", ("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        many.write(plugins().resolve("many.jar"));
        ZipWriter total = evil("total");
        ZipWriter lyingTotal = evil("lying-total");
        for (String name : List.of("res/a.bin", "res/b.bin", "res/c.bin")) {
            total.addFilled(name, (byte) 7, 400 * KIB);
            lyingTotal.addFilled(name, (byte) 7, 400 * KIB).declare(name, KIB);
        }
        total.write(plugins().resolve("total.jar"));
        lyingTotal.write(plugins().resolve("lying-total.jar"));
        evil("damaged").addPacked("res/data.bin", new byte[] {(byte) 0xFF, 1, 2, 3}, 100)
                .write(plugins().resolve("damaged.jar"));
        PluginJars.app("plain", "1.0.0").source(AppManagerTest.app("plain", "")).build(plugins());
        manager(SMALL);

        String log = logOf(() -> apps.sync().get(30, TimeUnit.SECONDS));
        Map<String, String> reasons = reasons();
        assertTrue(reasons.get("many.jar").startsWith("it has 28 entries, more than 20 (limits.app-jar.max-entries); "),
                reasons.toString());
        assertTrue(reasons.get("total.jar").startsWith("its entries declare more than 1 MiB unpacked in all, res/c.bin"
                + " included (limits.app-jar.max-bytes); "), reasons.toString());
        assertTrue(reasons.get("lying-total.jar").startsWith("its entries inflate to more than 1 MiB in all, res/c.bin"
                + " included (limits.app-jar.max-bytes), although the jar declares 1 KiB for it; "), reasons.toString());
        assertTrue(reasons.get("damaged.jar").startsWith("entry res/data.bin cannot be unpacked ("), reasons.toString());
        assertEquals(4, reasons.size(), reasons.toString());
        assertEquals(List.of("plain"), apps.running().stream().map(AppRuntime::id).toList(), "an app within the bounds runs");
        for (String reason : reasons.values()) {
            assertFalse(reason.contains("\n"), "one line: " + reason);
        }
        assertNoErrorStack(log);
    }

    @Test
    void aJarOfOneMegabyteThatUnpacksToAGibibyteIsRefusedUnderTheDefaultsWithoutInflatingIt() throws Exception {
        long gib = 1024L * MIB;
        evil("gib").addFilled(BIG, (byte) 0, gib).write(plugins().resolve("gib.jar"));
        evil("lying-gib").addFilled(BIG, (byte) 0, gib).declare(BIG, KIB).write(plugins().resolve("lying-gib.jar"));
        evil("ratio").addFilled("res/zeros.bin", (byte) 0, 2 * MIB).write(plugins().resolve("ratio.jar"));
        evil("lying-ratio").addFilled("res/zeros.bin", (byte) 0, 8 * MIB).declare("res/zeros.bin", KIB)
                .write(plugins().resolve("lying-ratio.jar"));
        assertTrue(Files.size(plugins().resolve("lying-gib.jar")) < 2 * MIB, "a small file");
        PluginJars.app("sane", "1.0.0").source(AppManagerTest.app("sane", "")).build(plugins());
        manager(Limits.defaults());

        String log = logOf(() -> apps.sync().get(60, TimeUnit.SECONDS));
        Map<String, String> reasons = reasons();
        assertTrue(reasons.get("gib.jar").startsWith("entry " + BIG + " declares 1 GiB unpacked, more than 64 MiB"
                + " (limits.app-jar.max-entry-bytes); "), reasons.toString());
        assertTrue(reasons.get("lying-gib.jar").startsWith("entry " + BIG + " inflates to more than 64 MiB"
                + " (limits.app-jar.max-entry-bytes), although the jar declares 1 KiB for it; "), reasons.toString());
        assertTrue(reasons.get("ratio.jar").matches("entry res/zeros\\.bin declares 2 MiB unpacked from [0-9,]+ bytes,"
                + " more than 100 times its packed size \\(limits\\.app-jar\\.max-ratio\\); .*"), reasons.toString());
        assertTrue(reasons.get("lying-ratio.jar").matches("entry res/zeros\\.bin inflates to more than 100 times its"
                + " packed size of [0-9,]+ bytes \\(limits\\.app-jar\\.max-ratio\\), although the jar declares 1 KiB"
                + " for it; .*"), reasons.toString());
        assertEquals(4, reasons.size(), reasons.toString());
        assertEquals(List.of("sane"), apps.running().stream().map(AppRuntime::id).toList());
        // The lying gibibyte was inflated up to its bound (64 MiB), the lying ratio up to 1 MiB, the rest
        // (a few small entries) not at all or once.
        long inflated = apps.jarInspector.inflatedBytes();
        assertTrue(inflated > 64 * MIB && inflated < 70 * MIB, "inflated " + inflated + " bytes");
        assertNoErrorStack(log);
    }

    /**
     * The built app under another Plugin-Id, ready for a bomb to be added: each bomb is an app of its
     * own, so that only the bound tells it apart from a jar that runs.
     */
    private static ZipWriter evil(String id) throws Exception {
        String manifest = "Manifest-Version: 1.0\r\nPlugin-Id: " + id + "\r\nPlugin-Version: 1.0.0\r\n\r\n";
        return ZipWriter.copyOf(evil).add("META-INF/MANIFEST.MF", manifest.getBytes(StandardCharsets.UTF_8));
    }

    /** The size of the index a build writes for the app (what a lying directory declares for it). */
    private static long indexSize() throws Exception {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(evil.toFile())) {
            return zip.getEntry(INDEX).getSize();
        }
    }

    /** Moves a jar over plugins/r.jar, as an operator's copy would. */
    private void put(Path jar) throws Exception {
        Files.createDirectories(plugins());
        Path tmp = plugins().resolve(".r.jar.tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, plugins().resolve("r.jar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Jar file name to the reason it was refused, from the last sync. */
    private Map<String, String> reasons() {
        return apps.refusals().stream().collect(Collectors.toMap(r -> r.jar().getFileName().toString(),
                AppManager.Refusal::reason));
    }

    private static List<String> linesAbout(String log, String text) {
        return log.lines().filter(l -> l.contains(text)).toList();
    }

    private static void assertNoErrorStack(String log) {
        assertFalse(log.contains("OutOfMemoryError"), log);
        assertFalse(log.lines().anyMatch(l -> l.startsWith("\tat ")), "no stack trace:\n" + log);
    }

    /** Runs {@code work} and returns what was logged meanwhile (the host logs to standard output), passing it on. */
    private static String logOf(Callable<?> work) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                original.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            work.call();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
