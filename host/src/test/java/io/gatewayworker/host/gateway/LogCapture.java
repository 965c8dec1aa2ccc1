package io.gatewayworker.host.gateway;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.event.EventConstants;
import org.slf4j.simple.SimpleLogger;

/**
 * Records what the loggers of some classes print while it is open, debug lines included. The tests run
 * with slf4j-simple, which prints to {@code System.out} or {@code System.err} (as configured, looked up on
 * each line) at the level each logger got when it was made; this swaps both streams for copies that
 * record (and still print) and lowers the given loggers to debug, and puts everything back on
 * {@link #close()}.
 *
 * <p>For tests on one thread (EmbeddedChannel); not thread-safe beyond recording.
 */
final class LogCapture implements AutoCloseable {

    private static final Field LEVEL;

    static {
        try {
            LEVEL = SimpleLogger.class.getDeclaredField("currentLogLevel");
            LEVEL.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("slf4j-simple has no currentLogLevel field any more: update LogCapture", e);
        }
    }

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    private final List<SimpleLogger> loggers = new ArrayList<>();
    private final List<Integer> levels = new ArrayList<>();

    private LogCapture(Class<?>... classes) {
        for (Class<?> c : classes) {
            if (!(LoggerFactory.getLogger(c) instanceof SimpleLogger logger)) {
                throw new IllegalStateException("the tests log through " + LoggerFactory.getLogger(c).getClass()
                        + " (expected: slf4j-simple's SimpleLogger)");
            }
            try {
                levels.add(LEVEL.getInt(logger));
                LEVEL.setInt(logger, EventConstants.DEBUG_INT);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            loggers.add(logger);
        }
        System.setOut(new PrintStream(tee(originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(originalErr), true, StandardCharsets.UTF_8));
    }

    /** What is written goes to {@code original} and is recorded. */
    private OutputStream tee(PrintStream original) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (recorded) {
                    recorded.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (recorded) {
                    recorded.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
    }

    /** Starts recording what the loggers of {@code classes} print, at debug level and above. */
    static LogCapture of(Class<?>... classes) {
        return new LogCapture(classes);
    }

    /** The lines printed so far. */
    List<String> lines() {
        String text;
        synchronized (recorded) {
            text = recorded.toString(StandardCharsets.UTF_8);
        }
        return Arrays.stream(text.split("\\R")).filter(l -> !l.isEmpty()).toList();
    }

    /** The lines printed so far that contain every one of {@code parts}. */
    List<String> linesWith(String... parts) {
        return lines().stream().filter(l -> Arrays.stream(parts).allMatch(l::contains)).toList();
    }

    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        for (int i = 0; i < loggers.size(); i++) {
            try {
                LEVEL.setInt(loggers.get(i), levels.get(i));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
