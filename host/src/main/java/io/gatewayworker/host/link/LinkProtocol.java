package io.gatewayworker.host.link;

/** Constants of the internal protocol. */
public final class LinkProtocol {

    /**
     * The protocol version this host speaks. A peer with another version is refused with a reason
     * naming both.
     */
    public static final int VERSION = 1;

    /** Largest internal frame accepted on TCP links: {@value} bytes. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** How long the accepting side of a link waits for Hello before closing it: {@value} ms. */
    public static final long HELLO_TIMEOUT_MILLIS = 10_000;

    /** Delay between attempts to reach the register or a gateway: {@value} ms. */
    public static final long RECONNECT_DELAY_MILLIS = 1_000;

    private LinkProtocol() {
    }
}
