package io.gatewayworker.host.app;

/**
 * An app jar was refused: not a jar, no descriptor, no {@code Events} extension, a class that does not
 * load, an {@code onWorkerStart} that threw. The message is one line that says what is wrong and, where
 * it can, what to do.
 */
public final class AppLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AppLoadException(String message) {
        super(message);
    }

    public AppLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
