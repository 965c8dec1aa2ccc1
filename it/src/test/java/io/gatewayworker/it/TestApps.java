package io.gatewayworker.it;

import io.gatewayworker.host.testing.PluginJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The app jars of the end-to-end tests. */
final class TestApps {

    private TestApps() {
    }

    /** Copies the chat example's jar, as Maven built it, into {@code plugins}. */
    static Path chat(Path plugins) throws IOException {
        Files.createDirectories(plugins);
        return Files.copy(Path.of(System.getProperty("gw.apps.dir"), "chat.jar"), plugins.resolve("chat.jar"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Compiles the probe app ({@code src/test/apps/probe}) into a jar in {@code plugins}. */
    static Path probe(Path plugins, String version) throws IOException {
        return probeBuilder(version).build(plugins);
    }

    /** Compiles the echo app ({@code src/test/apps/echo}, answers "VERSION:message") into {@code builds/echo-VERSION.jar}. */
    static Path echo(Path builds, String version) throws IOException {
        Path source = Path.of(System.getProperty("gw.app.sources"), "echo", "EchoEvents.java");
        return PluginJars.app("echo", version).source(Files.readString(source))
                .fileName("echo-" + version + ".jar").build(builds);
    }

    /** Replaces {@code plugins/NAME} the way a deployment should: write beside it, then move it in. */
    static void deploy(Path jar, Path plugins, String name) throws IOException {
        Files.createDirectories(plugins);
        Path tmp = plugins.resolve(name + ".part");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, plugins.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static PluginJars probeBuilder(String version) throws IOException {
        Path source = Path.of(System.getProperty("gw.app.sources"), "probe", "ProbeEvents.java");
        return PluginJars.app("probe", version).source(Files.readString(source));
    }
}
