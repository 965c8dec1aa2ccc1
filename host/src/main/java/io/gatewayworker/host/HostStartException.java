package io.gatewayworker.host;

/** The host could not start; the message says why in one line and what to do. */
public final class HostStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public HostStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
