package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.Body;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How a listener's protocol frames a message for the wire. A message is encoded once into bytes that
 * suit every client of the protocol (server frames carry no per-connection state), then written to
 * each receiver as a retained duplicate.
 *
 * <p>Implementations are stateless and thread-safe.
 */
interface WireFormat {

    /** Encodes one message into a new buffer, ready to be written to a client channel. */
    ByteBuf encode(Body body, ByteBufAllocator alloc);
}
