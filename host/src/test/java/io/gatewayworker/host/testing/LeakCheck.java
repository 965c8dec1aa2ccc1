package io.gatewayworker.host.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reports a {@code ByteBuf} that was never released:
 * registered for every test class of every module (through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} in the build), so a leak fails the build
 * instead of leaving a {@code LEAK:} line in a log that nobody reads.
 *
 * <p>The detector only notices a leak once the buffer was garbage-collected and another buffer is
 * tracked; after each class this collects garbage and tracks a few buffers, so most leaks fail the class
 * that made them. A leak found later names the class it was found after; the records in the message
 * show where the buffer was made and last touched.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean installed;

    private static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        try {
            Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((type, records) -> {
                synchronized (LEAKS) {
                    LEAKS.add(type + (records.isEmpty() ? " (no records)" : records));
                }
            });
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot watch Netty's leak detector: " + e, e);
        }
    }

    private static int leaks() {
        synchronized (LEAKS) {
            return LEAKS.size();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
        context.getStore(ExtensionContext.Namespace.create(LeakCheck.class)).put("before", leaks());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        int before = context.getStore(ExtensionContext.Namespace.create(LeakCheck.class)).get("before", Integer.class);
        for (int round = 0; round < 3 && leaks() == before; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 4; i++) {
                ByteBuf probe = Unpooled.buffer(1); // tracking a buffer makes the detector report what it found
                probe.release();
            }
        }
        synchronized (LEAKS) {
            if (LEAKS.size() > before) {
                throw new AssertionError((LEAKS.size() - before) + " ByteBuf leak(s) found after the tests of "
                        + context.getDisplayName() + " (made there or in a class run shortly before):\n"
                        + String.join("\n\n", LEAKS.subList(before, LEAKS.size())));
            }
        }
    }
}
