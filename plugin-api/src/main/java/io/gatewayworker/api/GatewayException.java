package io.gatewayworker.api;

/**
 * Thrown by the {@link Gateway} API when a call cannot be carried out as asked: a malformed client id,
 * an empty uid or group, a session over its size limit, a query that timed out.
 */
public class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that names the offending value and what was expected.
     *
     * @param message the message
     */
    public GatewayException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message the message
     * @param cause the cause
     */
    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
