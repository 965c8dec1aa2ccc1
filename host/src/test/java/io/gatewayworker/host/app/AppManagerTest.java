package io.gatewayworker.host.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.testing.PluginJars;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppManagerTest {

    @TempDir
    Path dir;

    /** An app that records what it saw in system properties named after its id. */
    static String app(String id, String onStart) {
        String cls = "App" + Math.abs(id.hashCode());
        return """
                package test.apps;

                import io.gatewayworker.api.*;
                import org.pf4j.Extension;

                @Extension
                public class %s implements Events {
                    public void onWorkerStart(AppContext context) {
                        String p = "test.app.%s.";
                        System.setProperty(p + "started", context.appId() + " " + context.version());
                        System.setProperty(p + "api", String.valueOf(Events.class.getClassLoader()));
                        try {
                            Class.forName("io.netty.channel.Channel");
                            System.setProperty(p + "netty", "visible");
                        } catch (ClassNotFoundException e) {
                            System.setProperty(p + "netty", "hidden");
                        }
                        System.setProperty(p + "tccl", String.valueOf(Thread.currentThread().getContextClassLoader() == getClass().getClassLoader()));
                        %s
                    }
                    public void onWorkerStop(AppContext context) {
                        System.setProperty("test.app.%s.stopped", "yes");
                    }
                    public void onMessage(Client client, String message) {
                    }
                }
                """.formatted(cls, id, onStart, id);
    }

    private AppManager manager() {
        return new AppManager(dir.resolve("plugins"), dir.resolve("data"), id -> (Gateway) null, Limits.defaults());
    }

    private Path plugins() {
        return dir.resolve("plugins");
    }

    @Test
    void loadsAnAppInItsOwnClassLoaderWithTheHostsApi() throws Exception {
        PluginJars.app("good", "1.0.0").source(app("good", "")).build(plugins());
        AppManager apps = manager();
        apps.loadAll().get();
        AppRuntime good = apps.running("good");
        assertNotNull(good);
        assertEquals(AppState.RUNNING, good.state());
        assertEquals("good 1.0.0", System.getProperty("test.app.good.started"));
        assertInstanceOf(AppClassLoader.class, good.classLoader());
        assertSame(good.classLoader(), good.events().getClass().getClassLoader());
        assertEquals(String.valueOf(Events.class.getClassLoader()), System.getProperty("test.app.good.api"),
                "Events comes from the host");
        assertEquals("hidden", System.getProperty("test.app.good.netty"), "host internals are not visible to apps");
        assertEquals("true", System.getProperty("test.app.good.tccl"), "the context loader is the app's own");
        assertTrue(good.loadedFrom().startsWith(dir.resolve("data").resolve("apps")), "loaded from a copy");
        apps.close();
        assertEquals("yes", System.getProperty("test.app.good.stopped"));
    }

    @Test
    void aJarThatBundlesThePluginApiStillGetsTheHostsApi() throws Exception {
        PluginJars.app("bundler", "1.0.0").source(app("bundler", "")).bundleApi().build(plugins());
        AppManager apps = manager();
        apps.loadAll().get();
        AppRuntime app = apps.running("bundler");
        assertNotNull(app, "the extension is found although the jar carries its own copy of the API");
        assertInstanceOf(Events.class, app.events());
        assertEquals(String.valueOf(Events.class.getClassLoader()), System.getProperty("test.app.bundler.api"));
        apps.close();
    }

    @Test
    void brokenJarsAreRefusedWithAReasonAndTheOthersStillStart() throws Exception {
        PluginJars.app("fine", "1.0.0").source(app("fine", "")).build(plugins());
        Files.writeString(plugins().resolve("notajar.jar"), "this is not a zip");
        PluginJars.app("nodesc", "1.0.0").source(app("nodesc", "")).withoutDescriptor().build(plugins());
        PluginJars.app("noindex", "1.0.0").source(app("noindex", "")).withoutExtensionIndex().build(plugins());
        PluginJars.app("throws", "1.0.0").source(app("throws", "throw new IllegalStateException(\"no database\");"))
                .build(plugins());
        Files.createDirectories(plugins().resolve("chat-sources")); // folders are ignored
        AppManager apps = manager();
        apps.loadAll().get();

        assertEquals(List.of("fine"), apps.running().stream().map(AppRuntime::id).toList());
        String reasons = apps.refusals().stream().map(r -> r.jar().getFileName() + ": " + r.reason())
                .collect(Collectors.joining("\n"));
        assertTrue(reasons.contains("notajar.jar: it is not a jar"), reasons);
        assertTrue(reasons.contains("nodesc-1.0.0.jar: its manifest is not a valid app descriptor"), reasons);
        assertTrue(reasons.contains("noindex-1.0.0.jar: no Events extension found"), reasons);
        assertTrue(reasons.contains("throws-1.0.0.jar: onWorkerStart of app 'throws' threw java.lang.IllegalStateException: no database"), reasons);
        assertEquals(4, apps.refusals().size(), reasons);
        apps.close();
    }

    @Test
    void ofTwoJarsWithOneIdTheHigherVersionRuns() throws Exception {
        PluginJars.app("twice", "1.2.0").source(app("twice", "")).fileName("a.jar").build(plugins());
        PluginJars.app("twice", "1.10.0").source(app("twice", "")).fileName("b.jar").build(plugins());
        AppManager apps = manager();
        apps.loadAll().get();
        assertEquals("1.10.0", apps.running("twice").version());
        assertTrue(apps.refusals().get(0).reason().startsWith("ignored"), apps.refusals().toString());
        assertEquals("a.jar", apps.refusals().get(0).jar().getFileName().toString());
        apps.close();
    }

    @Test
    void anAppsTimersStopWithIt() throws Exception {
        PluginJars.app("ticker", "1.0.0").source(app("ticker", """
                java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
                context.timers().every(java.time.Duration.ofMillis(5),
                        () -> System.setProperty("test.app.ticker.ticks", String.valueOf(n.incrementAndGet())));
                """)).build(plugins());
        AppManager apps = manager();
        apps.loadAll().get();
        for (int i = 0; i < 200 && System.getProperty("test.app.ticker.ticks") == null; i++) {
            Thread.sleep(10);
        }
        assertNotNull(System.getProperty("test.app.ticker.ticks"), "the timer runs");
        apps.stopAll().get();
        Thread.sleep(50); // a run already going may finish
        String after = System.getProperty("test.app.ticker.ticks");
        Thread.sleep(200);
        assertEquals(after, System.getProperty("test.app.ticker.ticks"), "no tick after the app stopped");
        apps.close();
    }

    @Test
    void aStoppedAppsClassLoaderIsCollected() throws Exception {
        PluginJars.app("gone", "1.0.0").source(app("gone", "")).build(plugins());
        AppManager apps = manager();
        apps.loadAll().get();
        WeakReference<ClassLoader> loader = new WeakReference<>(apps.running("gone").classLoader());
        apps.stopAll().get();
        assertNull(apps.running("gone"));
        for (int i = 0; i < 100 && loader.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(loader.get(), "the app's class loader must become unreachable after it stops");
        apps.close();
    }
}
