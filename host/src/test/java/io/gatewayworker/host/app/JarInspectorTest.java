package io.gatewayworker.host.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gatewayworker.host.config.Limits;
import io.gatewayworker.host.testing.ZipWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdicts of {@link JarInspector}: remembered by content, never for a file that changed meanwhile. */
class JarInspectorTest {

    @TempDir
    Path dir;

    @Test
    void aContentCheckedOnceIsNotInflatedAgain() throws Exception {
        Path jar = ZipWriter.create().add("a.txt", "hello".getBytes(StandardCharsets.UTF_8)).write(dir.resolve("a.jar"));
        AtomicReference<String> hash = new AtomicReference<>("h1");
        JarInspector inspector = new JarInspector(Limits.defaults(), p -> hash.get());
        inspector.check(jar, "h1");
        assertEquals(5, inspector.inflatedBytes());
        inspector.check(jar, "h1");
        assertEquals(5, inspector.inflatedBytes(), "the verdict is remembered");
        hash.set("h2");
        inspector.check(jar, "h2");
        assertEquals(10, inspector.inflatedBytes(), "another content is checked");
    }

    @Test
    void aJarThatChangesWhileItIsCheckedGetsNoVerdict() throws Exception {
        Path jar = ZipWriter.create().addFilled("big.bin", (byte) 0, 2 * 1024 * 1024).write(dir.resolve("b.jar"));
        AtomicReference<String> now = new AtomicReference<>("after");
        JarInspector inspector = new JarInspector(Limits.defaults(), p -> now.get());
        AppLoadException e = assertThrows(AppLoadException.class, () -> inspector.check(jar, "before"));
        assertEquals("it changed while it was being checked; it is taken once it is complete", e.getMessage());
        now.set("before");
        e = assertThrows(AppLoadException.class, () -> inspector.check(jar, "before"));
        assertTrue(e.getMessage().startsWith("entry big.bin declares 2 MiB unpacked"), e.getMessage());
    }

    @Test
    void sizesAreWrittenForPeople() {
        assertEquals("64 MiB", JarInspector.size(64L << 20));
        assertEquals("1 GiB", JarInspector.size(1L << 30));
        assertEquals("1.5 GiB", JarInspector.size(3L << 29));
        assertEquals("2.5 MiB", JarInspector.size(5L << 19));
        assertEquals("12 KiB", JarInspector.size(12 * 1024));
        assertEquals("1,037 bytes", JarInspector.size(1037));
    }
}
