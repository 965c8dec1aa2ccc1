package io.gatewayworker.host.testing;

import io.gatewayworker.api.Events;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.pf4j.Extension;

/**
 * Builds app jars at test time, as an app author's build would: compiles Java sources against the
 * plugin API and PF4J with PF4J's annotation processor, and writes a jar with a PF4J manifest. Options
 * make the broken jars that tests need.
 *
 * <pre>{@code
 * Path jar = PluginJars.app("probe", "1.0.0").source(Files.readString(src)).build(dir);
 * }</pre>
 */
public final class PluginJars {

    private final String id;
    private final String version;
    private final List<String> sources = new ArrayList<>();
    private final Map<String, String> manifest = new LinkedHashMap<>();
    private boolean bundleApi;
    private boolean descriptor = true;
    private boolean index = true;
    private String fileName;
    private final List<String> omitted = new ArrayList<>();

    private PluginJars(String id, String version) {
        this.id = id;
        this.version = version;
    }

    /** An app jar with {@code Plugin-Id: id} and {@code Plugin-Version: version}. */
    public static PluginJars app(String id, String version) {
        return new PluginJars(id, version);
    }

    /** Adds one compilation unit (its package and class name are read from the text). */
    public PluginJars source(String javaSource) {
        sources.add(javaSource);
        return this;
    }

    /** Also packs the plugin API's classes into the jar, as a careless build would. */
    public PluginJars bundleApi() {
        this.bundleApi = true;
        return this;
    }

    /** Leaves Plugin-Id and Plugin-Version out of the manifest. */
    public PluginJars withoutDescriptor() {
        this.descriptor = false;
        return this;
    }

    /** Leaves META-INF/extensions.idx out (as when the annotation processor did not run). */
    public PluginJars withoutExtensionIndex() {
        this.index = false;
        return this;
    }

    /** Leaves a compiled class out of the jar (to make a jar that lacks a class its code needs). */
    public PluginJars omitClass(String className) {
        omitted.add(className.replace('.', '/') + ".class");
        return this;
    }

    public PluginJars manifestEntry(String name, String value) {
        manifest.put(name, value);
        return this;
    }

    /** The file name to write; default {@code <id>-<version>.jar}. */
    public PluginJars fileName(String fileName) {
        this.fileName = fileName;
        return this;
    }

    /** Compiles and writes the jar into {@code dir}; returns its path. */
    public Path build(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory(dir, ".build-");
        Path srcDir = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of(
                "-d", classes.toString(),
                "--release", "21",
                "-classpath", location(Events.class) + java.io.File.pathSeparator + location(Extension.class),
                "-processorpath", location(Extension.class).toString(),
                "-processor", "org.pf4j.processor.ExtensionAnnotationProcessor",
                "-Xlint:none"));
        for (String source : sources) {
            Path file = srcDir.resolve(className(source).replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter out = new StringWriter();
        int status = javac.getTask(out, null, null, args.subList(0, args.size() - sources.size()), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjectsFromStrings(
                        args.subList(args.size() - sources.size(), args.size()))).call() ? 0 : 1;
        if (status != 0) {
            throw new IllegalStateException("compiling the test app '" + id + "' failed:\n" + out);
        }
        Path jar = dir.resolve(fileName != null ? fileName : id + "-" + version + ".jar");
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (descriptor) {
            main.putValue("Plugin-Id", id);
            main.putValue("Plugin-Version", version);
        }
        manifest.forEach(main::putValue);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out2 = new JarOutputStream(file, mf)) {
            addTree(out2, classes, index, omitted);
            if (bundleApi) {
                addApi(out2);
            }
        }
        deleteTree(work);
        return jar;
    }

    private static void addTree(JarOutputStream out, Path root, boolean index, List<String> omitted) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                if (Files.isDirectory(file)) {
                    continue;
                }
                String name = root.relativize(file).toString().replace('\\', '/');
                if (!index && name.equals("META-INF/extensions.idx") || omitted.contains(name)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }

    private static void addApi(JarOutputStream out) throws IOException {
        Path api = location(Events.class);
        if (Files.isDirectory(api)) {
            try (Stream<Path> files = Files.walk(api)) {
                for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                    String name = api.relativize(file).toString().replace('\\', '/');
                    if (Files.isRegularFile(file) && name.startsWith("io/gatewayworker/api/")) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
            }
            return;
        }
        try (JarFile jar = new JarFile(api.toFile())) {
            for (JarEntry entry : (Iterable<JarEntry>) jar.stream()::iterator) {
                if (!entry.isDirectory() && entry.getName().startsWith("io/gatewayworker/api/")) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    jar.getInputStream(entry).transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    /** The jar or class folder a class was loaded from. */
    public static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String className(String source) {
        String pkg = "";
        java.util.regex.Matcher p = java.util.regex.Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;").matcher(source);
        if (p.find()) {
            pkg = p.group(1) + ".";
        }
        java.util.regex.Matcher c = java.util.regex.Pattern
                .compile("(?m)^\\s*(?:public\\s+)?(?:final\\s+|abstract\\s+)*(?:class|interface|enum|record)\\s+(\\w+)")
                .matcher(source);
        if (!c.find()) {
            throw new IllegalArgumentException("no public top-level type in the source");
        }
        return pkg + c.group(1);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
