package io.gatewayworker.host.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an app's calls of {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} become once
 * {@link ExitRewriter} has rewritten its classes: each is refused with an error in the log naming the
 * app, and a {@link SecurityException} in the app's code (its callback ends there, as any callback that
 * throws; the client stays connected). The server keeps running.
 *
 * <p>Public only because app classes call it: {@link ApiClassLoader} shows apps this one host class.
 * Not API; apps never name it. Thread-safe.
 */
public final class Exits {

    private static final Logger log = LoggerFactory.getLogger(Exits.class);
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private Exits() {
    }

    /** Replaces {@code System.exit(status)}. */
    public static void systemExit(int status) {
        refuse("System.exit(" + status + ")");
    }

    /** Replaces {@code runtime.exit(status)}. */
    public static void runtimeExit(Runtime runtime, int status) {
        refuse("Runtime.exit(" + status + ")");
    }

    /** Replaces {@code runtime.halt(status)}. */
    public static void runtimeHalt(Runtime runtime, int status) {
        refuse("Runtime.halt(" + status + ")");
    }

    private static void refuse(String call) {
        Class<?> caller = WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c != Exits.class).findFirst().orElse(Exits.class));
        String app = caller.getClassLoader() instanceof AppClassLoader loader ? loader.app() : "(unknown app)";
        log.error("App {} called {} in {}: refused, the server keeps running (an app cannot end the process that"
                + " serves every app; return or throw instead)", app, call, caller.getName());
        throw new SecurityException(call + " is not allowed in an app: the server keeps running");
    }
}
