package io.gatewayworker.host.config;

import java.time.Duration;

/**
 * How the roles of a cluster trust and watch each other.
 *
 * @param secret the shared secret internal links authenticate with (an HMAC over a challenge: it never
 *        crosses the wire); empty: no authentication, allowed only while every internal port is on a
 *        loopback address
 * @param secretSource where the secret came from, for {@code config} (never the secret itself)
 * @param heartbeat how often an idle TCP link sends a ping
 * @param heartbeatTimeout how long a TCP link may stay silent (no message, no pong) before its peer is
 *        taken for dead (a crashed or frozen process) and the link is closed
 * @param lease how long a worker keeps what it knows of a lost gateway's clients: a link back within it
 *        resumes them with no callback; past it, each gets {@code onClose}
 */
public record ClusterConfig(String secret, String secretSource, Duration heartbeat, Duration heartbeatTimeout,
                            Duration lease) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    /** Several missed pings: a busy peer answers within it, a frozen or vanished one does not. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
    /** Long enough for a gateway to restart its network or a switch to come back. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    public ClusterConfig {
        secret = secret == null ? "" : secret;
        secretSource = secretSource == null ? "" : secretSource;
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: > 0)");
        }
        if (heartbeatTimeout.compareTo(heartbeat) <= 0) {
            throw new IllegalArgumentException("heartbeat timeout: " + heartbeatTimeout + " (expected: more than the heartbeat, "
                    + heartbeat + ")");
        }
        if (lease.isNegative()) {
            throw new IllegalArgumentException("lease: " + lease + " (expected: >= 0)");
        }
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig("", "", DEFAULT_HEARTBEAT, DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_LEASE);
    }

    public boolean hasSecret() {
        return !secret.isEmpty();
    }

    public ClusterConfig withSecret(String secret, String source) {
        return new ClusterConfig(secret, source, heartbeat, heartbeatTimeout, lease);
    }

    public ClusterConfig withHeartbeat(Duration heartbeat, Duration timeout) {
        return new ClusterConfig(secret, secretSource, heartbeat, timeout, lease);
    }

    public ClusterConfig withLease(Duration lease) {
        return new ClusterConfig(secret, secretSource, heartbeat, heartbeatTimeout, lease);
    }

    @Override
    public String toString() {
        return "ClusterConfig[secret " + (hasSecret() ? "set" : "none") + ", heartbeat " + heartbeat + "/" + heartbeatTimeout
                + ", lease " + lease + "]";
    }
}
