package io.gatewayworker.host.gateway;

import io.gatewayworker.proto.link.v1.Body;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One message body encoded once per wire format, shared by all its receivers as retained duplicates.
 *
 * <p>Encode on one thread ({@link #get} lazily, or {@link #encodeAll} up front); after
 * {@code encodeAll}, {@link #get} may be read from several loops at once. Reference counted: each
 * holder {@link #retain()}s and {@link #release()}s.
 */
final class EncodedBody {

    private final Body body;
    private final ByteBufAllocator alloc;
    private final Map<WireFormat, ByteBuf> encoded = new IdentityHashMap<>(2);
    private final AtomicInteger refs = new AtomicInteger(1);

    EncodedBody(Body body, ByteBufAllocator alloc) {
        this.body = body;
        this.alloc = alloc;
    }

    /** The shared encoding for {@code wire}; callers write {@code retainedDuplicate()}s of it. */
    ByteBuf get(WireFormat wire) {
        ByteBuf buf = encoded.get(wire);
        if (buf == null) {
            buf = wire.encode(body, alloc);
            encoded.put(wire, buf);
        }
        return buf;
    }

    /** A new reference to the encoding for {@code wire}, owned by the caller. */
    ByteBuf copyFor(WireFormat wire) {
        return get(wire).retainedDuplicate();
    }

    void encodeAll(Iterable<WireFormat> wires) {
        for (WireFormat wire : wires) {
            get(wire);
        }
    }

    EncodedBody retain() {
        refs.incrementAndGet();
        return this;
    }

    void release() {
        if (refs.decrementAndGet() > 0) {
            return;
        }
        encoded.values().forEach(ByteBuf::release);
        encoded.clear();
    }
}
