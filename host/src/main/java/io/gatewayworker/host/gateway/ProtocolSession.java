package io.gatewayworker.host.gateway;

import io.netty.buffer.ByteBuf;

/**
 * What a listener's protocol does for one connection, called by {@link ClientConnection} on the
 * connection's event loop.
 */
interface ProtocolSession {

    /** Completes the opening handshake; calls {@link ClientConnection#opened()} when it is done. */
    void accept();

    /** Turns the client away with a close code and reason, and closes the connection. */
    void refuse(int code, String reason);

    /**
     * Closes the connection gracefully: {@code last} (already encoded, may be null), then the protocol's
     * close with {@code code} and {@code reason}, then the channel once written.
     */
    void close(ByteBuf last, int code, String reason);

    /** Asks the client for a sign of life (a WebSocket ping), if the protocol has one. */
    void ping();

    /**
     * The client may send events again: hand on what was read but held back meanwhile, in order, until
     * it must hold again ({@link ClientConnection#holdsInput()}).
     */
    default void releaseHeld() {
    }
}
