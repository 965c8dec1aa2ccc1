package io.gatewayworker.api;

import java.util.List;
import java.util.Map;

/**
 * The HTTP upgrade request of a WebSocket client, given to
 * {@link Events#onWebSocketConnect(Client, Handshake)}; the app may {@link #refuse(int, String) refuse}
 * the client here.
 */
public interface Handshake {

    /**
     * The request path without the query, such as {@code /chat}.
     *
     * @return the path
     */
    String path();

    /**
     * The raw query string without the leading {@code ?}.
     *
     * @return the query; empty when there is none
     */
    String query();

    /**
     * The decoded query parameters, in the order they appear; a name given several times has several
     * values.
     *
     * @return an unmodifiable map of parameter names to values
     */
    Map<String, List<String>> queryParameters();

    /**
     * The first value of a query parameter.
     *
     * @param name the parameter name
     * @return the value, or {@code null} when the parameter is absent
     */
    @Nullable
    default String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The request headers; names are lower case.
     *
     * @return an unmodifiable map of lower-case header names to values
     */
    Map<String, List<String>> headers();

    /**
     * The first value of a header, the name matched without regard to case.
     *
     * @param name the header name
     * @return the value, or {@code null} when the header is absent
     */
    @Nullable
    default String header(String name) {
        List<String> values = headers().get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Refuses the client: the handshake completes and the connection is closed at once with this
     * WebSocket close code and reason. {@link Events#onConnect(Client)} and
     * {@link Events#onClose(Client)} are not called for a refused client.
     *
     * @param code a close code the application may use: 1000, 1008 (policy violation) or 3000 to 4999
     * @param reason a short reason for the client, at most 123 bytes in UTF-8
     * @throws IllegalArgumentException when the code is not one an application may send, or the reason
     *         is too long
     */
    void refuse(int code, String reason);

    /**
     * Whether {@link #refuse(int, String)} was called.
     *
     * @return true when the client will be refused
     */
    boolean refused();
}
