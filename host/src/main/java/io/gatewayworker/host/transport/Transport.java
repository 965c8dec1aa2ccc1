package io.gatewayworker.host.transport;

/**
 * The carrier of the internal links between roles. Both carry the same
 * {@code io.gatewayworker.proto.link.v1.Envelope} messages to the same handlers; only the bottom of
 * the pipeline differs.
 */
public enum Transport {
    /**
     * Netty's in-JVM transport: the roles of one JVM pass message objects, with no socket and no
     * encoding. Addresses are {@code LocalAddress}es named after the {@link InternalAddress} the role
     * would have on TCP.
     */
    LOCAL,
    /** TCP between JVMs: length-prefixed protobuf frames. */
    TCP
}
