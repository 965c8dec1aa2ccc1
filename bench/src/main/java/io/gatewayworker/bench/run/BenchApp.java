package io.gatewayworker.bench.run;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * The two builds of the bench app ({@code plugins/bench}): the plain jar and the one with the classifier
 * {@code reload}, whose {@code Plugin-Version} differs; and their installation into a plugins folder
 * under one name, {@value #INSTALLED_NAME}, replaced atomically (copy to a hidden temporary name that
 * does not end in {@code .jar}, then rename over the old one), as an operator deploying a new version
 * would. Stateless.
 */
final class BenchApp {

    /** The name of the app jar in the host's plugins folder. */
    static final String INSTALLED_NAME = "bench.jar";

    private BenchApp() {
    }

    /** The plain build: {@code plugins/bench/target/bench-VERSION.jar}. */
    static Path jar(Path root) throws IOException {
        return find(root, false);
    }

    /** The second build: {@code plugins/bench/target/bench-VERSION-reload.jar}. */
    static Path reloadJar(Path root) throws IOException {
        return find(root, true);
    }

    /** The {@code Plugin-Version} in a jar's manifest. */
    static String version(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            String v = j.getManifest() == null ? null : j.getManifest().getMainAttributes().getValue("Plugin-Version");
            if (v == null) {
                throw new IOException(jar + " has no Plugin-Version in its manifest");
            }
            return v;
        }
    }

    /** Puts {@code jar} into {@code pluginsDir} as {@value #INSTALLED_NAME}, replacing the old one atomically. */
    static void install(Path jar, Path pluginsDir) throws IOException {
        Path tmp = pluginsDir.resolve("." + INSTALLED_NAME + ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, pluginsDir.resolve(INSTALLED_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path find(Path root, boolean reload) throws IOException {
        Path target = root.resolve("plugins/bench/target");
        Path found = null;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(target, "bench-*.jar")) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.endsWith("-sources.jar") || name.endsWith("-javadoc.jar") || name.endsWith("-tests.jar")) {
                    continue;
                }
                if (name.endsWith("-reload.jar") == reload) {
                    found = p;
                }
            }
        } catch (NoSuchFileException e) {
            // reported below
        }
        if (found == null) {
            throw new IOException("the bench app" + (reload ? "'s reload build" : "") + " is not built (no "
                    + target + "/bench-*" + (reload ? "-reload" : "") + ".jar); bin/bench builds it, or run: "
                    + "./mvnw -DskipTests package");
        }
        return found;
    }
}
