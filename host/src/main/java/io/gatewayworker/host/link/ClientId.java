package io.gatewayworker.host.link;

import io.gatewayworker.api.GatewayException;
import io.gatewayworker.host.transport.InternalAddress;

/**
 * A client id: the owning gateway's internal IPv4 address and port, and a connection number on that
 * gateway. Its text form is 20 lowercase hex characters, as in GatewayWorker:
 *
 * <pre>
 *   7f000001 08fc 0000002a
 *   └ ip ──┘ └port┘└ conn ─┘   = 127.0.0.1:2300, connection 42
 * </pre>
 *
 * Any worker or push client routes a command for a client id by decoding it, without asking anyone.
 *
 * @param ipv4 the gateway's internal IPv4 address as a number
 * @param port the gateway's internal port
 * @param connection the connection number on that gateway (unsigned)
 */
public record ClientId(int ipv4, int port, int connection) {

    /** Length of the text form. */
    public static final int LENGTH = 20;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public ClientId {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /** The text form of the client id of {@code connection} on the gateway at {@code ipv4:port}. */
    public static String format(int ipv4, int port, int connection) {
        char[] out = new char[LENGTH];
        put(out, 0, ipv4, 8);
        put(out, 8, port, 4);
        put(out, 12, connection, 8);
        return new String(out);
    }

    /**
     * Decodes a client id.
     *
     * @throws GatewayException naming the id and what was expected, when it is not 20 hex characters
     */
    public static ClientId parse(String text) {
        if (text == null) {
            throw new GatewayException("client id: null (expected: 20 hex characters)");
        }
        if (text.length() != LENGTH) {
            throw new GatewayException("client id: '" + abbreviate(text) + "' has " + text.length()
                    + " characters (expected: 20 hex characters)");
        }
        long high = 0;
        for (int i = 0; i < 12; i++) {
            high = (high << 4) | digit(text, i);
        }
        int connection = 0;
        for (int i = 12; i < LENGTH; i++) {
            connection = (connection << 4) | digit(text, i);
        }
        return new ClientId((int) (high >>> 16), (int) (high & 0xFFFF), connection);
    }

    /** The key of the owning gateway, as {@link InternalAddress#key()} computes it. */
    public long gatewayKey() {
        return InternalAddress.key(ipv4, port);
    }

    public InternalAddress gateway() {
        return InternalAddress.of(ipv4, port);
    }

    @Override
    public String toString() {
        return format(ipv4, port, connection);
    }

    private static void put(char[] out, int offset, int value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[offset + i] = HEX[value & 0xF];
            value >>>= 4;
        }
    }

    private static int digit(String text, int index) {
        char c = text.charAt(index);
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new GatewayException("client id: '" + abbreviate(text) + "' has '" + c + "' at position " + index
                + " (expected: 20 hex characters)");
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
