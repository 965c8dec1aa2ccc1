package io.gatewayworker.host.worker;

import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.host.transport.InternalAddress;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Hello;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's end of a link to a gateway: says Hello (with the apps it serves), checks that the
 * gateway's Welcome names the address this worker expects (the one in its client ids), opens the
 * credit window, then hands every event to the {@link Dispatcher}.
 *
 * <p>One instance per link; runs on the link's event loop.
 */
final class GatewayLinkHandler extends SimpleChannelInboundHandler<Envelope> {

    private static final Logger log = LoggerFactory.getLogger(GatewayLinkHandler.class);

    private final BusinessWorker worker;
    private final InternalAddress expected;
    private final Supplier<Hello> hello;
    private GatewayLink link;

    GatewayLinkHandler(BusinessWorker worker, InternalAddress expected, Supplier<Hello> hello) {
        this.worker = worker;
        this.expected = expected;
        this.hello = hello;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        link = new GatewayLink(expected, ctx.channel(), worker.limits().linkCreditWindow());
        ctx.writeAndFlush(Envelope.newBuilder().setHello(hello.get()).build(), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
        switch (msg.getBodyCase()) {
            case EVENT -> worker.dispatcher().onEvent(link, msg.getEvent());
            case REPLY -> link.replied(msg.getReply());
            case FLOW -> {
                if (msg.getFlow().getLink()) {
                    // The gateway has too much of an app's work queued (app named), or its heap is at risk
                    // (no app): hold those commands (app threads that send then wait, bounded) until it
                    // catches up.
                    String app = msg.getFlow().getApp();
                    if (app.isEmpty()) {
                        link.out().hold(msg.getFlow().getPause());
                    } else {
                        link.out().hold(app, msg.getFlow().getPause());
                    }
                }
            }
            case BARRIER -> link.barrier(msg.getBarrier().getId());
            case RELEASED -> link.peer().released(msg.getReleased().getConnection());
            case WELCOME -> welcome(ctx, msg);
            case REFUSED -> log.error("Gateway {} refused this worker: {}", expected, msg.getRefused().getReason());
            case PING -> LinkProtocol.pong(ctx, msg.getPing());
            case PONG -> { }
            default -> log.debug("Worker: ignoring {} from {}", msg.getBodyCase(), link);
        }
    }

    private void welcome(ChannelHandlerContext ctx, Envelope msg) {
        String address = msg.getWelcome().getGatewayAddress();
        if (!expected.toString().equals(address)) {
            log.error("The gateway listed as {} calls itself {}; client ids would not route. Closing the link;"
                    + " check the gateway's internal address configuration", expected, address);
            ctx.close();
            return;
        }
        if (msg.getWelcome().getProtocolVersion() != LinkProtocol.VERSION) {
            log.error("Gateway {} speaks protocol {} (this worker speaks {}); closing the link", expected,
                    msg.getWelcome().getProtocolVersion(), LinkProtocol.VERSION);
            ctx.close();
            return;
        }
        link.opened();
        worker.linked(link, msg.getWelcome().getRun());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            link.out().resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (link != null) {
            boolean wasOpen = link.isOpen();
            link.closed();
            worker.unlinked(link, wasOpen);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("Worker: link to {} failed: {}", expected, cause.toString());
        ctx.close();
    }
}
