package io.gatewayworker.host.link;

import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Ping;
import io.gatewayworker.proto.link.v1.Pong;
import io.gatewayworker.proto.link.v1.Refused;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;

/** Constants of the internal protocol, and the replies every role gives the same way. */
public final class LinkProtocol {

    /**
     * The protocol version this host speaks. A peer with another version is refused with a reason
     * naming both.
     */
    public static final int VERSION = 3;

    /** Largest internal frame accepted on TCP links: {@value} bytes. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** How long the accepting side of a link waits for Hello before closing it: {@value} ms. */
    public static final long HELLO_TIMEOUT_MILLIS = 10_000;

    /** Delay between attempts to reach the register or a gateway: {@value} ms. */
    public static final long RECONNECT_DELAY_MILLIS = 1_000;

    private LinkProtocol() {
    }

    /** Why a peer speaking {@code peerVersion} is refused by {@code role}, or null when it is welcome. */
    public static String versionMismatch(int peerVersion, String role) {
        return peerVersion == VERSION ? null : "protocol version " + peerVersion + " is not spoken here (this " + role
                + " speaks " + VERSION + ")";
    }

    /** Refuses a link: logs why, tells the peer, closes. */
    public static void refuse(ChannelHandlerContext ctx, Logger log, String role, String reason) {
        log.warn("{}: refusing link from {}: {}", role, ctx.channel().remoteAddress(), reason);
        ctx.writeAndFlush(Envelope.newBuilder().setRefused(Refused.newBuilder().setReason(reason)).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Answers a ping. */
    public static void pong(ChannelHandlerContext ctx, Ping ping) {
        ctx.writeAndFlush(Envelope.newBuilder().setPong(Pong.newBuilder().setNanos(ping.getNanos())).build(),
                ctx.voidPromise());
    }
}
