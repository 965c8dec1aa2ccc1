package io.gatewayworker.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Performs the WebSocket handshake of a load connection: sends the upgrade request when the TCP
 * connection is up, checks the answer, then replaces itself with the connection's {@link LoadHandler}.
 * Reports the outcome exactly once to {@code done}: {@code null} on success, the cause otherwise (also
 * when no answer comes within the timeout, or the connection closes first).
 *
 * <p>One instance per connection; runs on its event loop.
 */
final class ClientHandshakeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

    private final WebSocketClientHandshaker handshaker;
    private final LoadHandler next;
    private final long timeoutMillis;
    private final Consumer<Throwable> done;
    private ScheduledFuture<?> timeout;
    private boolean reported;

    ClientHandshakeHandler(WebSocketClientHandshaker handshaker, LoadHandler next, long timeoutMillis,
            Consumer<Throwable> done) {
        this.handshaker = handshaker;
        this.next = next;
        this.timeoutMillis = timeoutMillis;
        this.done = done;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            fail(ctx, new IllegalStateException("no handshake answer within " + timeoutMillis + " ms"));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ctx, f.cause());
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        try {
            handshaker.finishHandshake(ctx.channel(), response);
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        cancelTimeout();
        ctx.pipeline().replace(this, "load", next);
        next.load.connectionOpened();
        report(null);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, new IllegalStateException("closed during the handshake"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        cancelTimeout();
        report(cause);
        ctx.close();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private void report(Throwable cause) {
        if (!reported) {
            reported = true;
            done.accept(cause);
        }
    }
}
