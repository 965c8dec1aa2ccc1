package io.gatewayworker.host.transport;

import io.netty.channel.local.LocalAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The internal endpoint of a role: an IPv4 address and a port, as {@code "ip:port"}. A gateway's
 * internal address is also encoded in its client ids.
 *
 * @param host the IPv4 address in dotted form
 * @param port the port, 0 to 65535
 */
public record InternalAddress(String host, int port) {

    public InternalAddress {
        ipv4(host); // validates
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /**
     * Parses {@code "ip:port"}.
     *
     * @throws IllegalArgumentException with the offending text and what was expected
     */
    public static InternalAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("internal address: '" + text + "' (expected: IPv4:port, like 127.0.0.1:2300)");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("internal address: '" + text + "' (expected: IPv4:port, like 127.0.0.1:2300)");
        }
        return new InternalAddress(text.substring(0, colon), port);
    }

    /** Rebuilds an address from the packed form used by client ids. */
    public static InternalAddress of(int ipv4, int port) {
        return new InternalAddress(((ipv4 >>> 24) & 0xFF) + "." + ((ipv4 >>> 16) & 0xFF) + "."
                + ((ipv4 >>> 8) & 0xFF) + "." + (ipv4 & 0xFF), port);
    }

    /** The address as a 32-bit number, as client ids carry it. */
    public int ipv4() {
        return ipv4(host);
    }

    /** Address and port packed into one number: the key under which workers find a gateway. */
    public long key() {
        return key(ipv4(), port);
    }

    public static long key(int ipv4, int port) {
        return ((ipv4 & 0xFFFFFFFFL) << 16) | (port & 0xFFFF);
    }

    /**
     * The socket address to bind or connect to on a transport. On {@link Transport#LOCAL} it is a
     * {@code LocalAddress} whose name carries {@code namespace}, so that several hosts in one JVM
     * (tests) keep apart.
     */
    public SocketAddress socketAddress(Transport transport, String namespace, String role) {
        return switch (transport) {
            case LOCAL -> new LocalAddress("gatewayworker/" + namespace + "/" + role + "/" + this);
            case TCP -> new InetSocketAddress(host, port);
        };
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }

    private static int ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("internal address: '" + host + "' (expected: an IPv4 address such as 127.0.0.1)");
        }
        int value = 0;
        for (String part : parts) {
            int octet;
            try {
                octet = part.isEmpty() || part.length() > 3 ? -1 : Integer.parseInt(part);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("internal address: '" + host + "' (expected: an IPv4 address such as 127.0.0.1)");
            }
            value = (value << 8) | octet;
        }
        return value;
    }
}
