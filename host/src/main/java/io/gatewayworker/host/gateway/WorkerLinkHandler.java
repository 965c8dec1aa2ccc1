package io.gatewayworker.host.gateway;

import io.gatewayworker.host.link.LinkProtocol;
import io.gatewayworker.proto.link.v1.Envelope;
import io.gatewayworker.proto.link.v1.Expired;
import io.gatewayworker.proto.link.v1.Kept;
import io.gatewayworker.proto.link.v1.Hello;
import io.gatewayworker.proto.link.v1.Role;
import io.gatewayworker.proto.link.v1.Welcome;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's end of a link from a worker. The worker opens with Hello (naming its apps) and gets a
 * Welcome with this gateway's address; then commands, credit and app updates flow in, and events flow
 * out through the link's {@link WorkerLink}.
 *
 * <p>One instance per link; runs on the link's event loop.
 */
final class WorkerLinkHandler extends SimpleChannelInboundHandler<Envelope> {

    private static final Logger log = LoggerFactory.getLogger(WorkerLinkHandler.class);
    /**
     * Operations of one worker's commands that may wait on the client loops before the worker is asked
     * to hold: enough for large fan-outs in flight, small enough to bound the memory they hold.
     */
    static final long QUEUED_WORK_HIGH = 4096;

    private final GatewayServer gateway;
    private WorkerLink link;
    private CommandExecutor commands;
    private ScheduledFuture<?> helloTimeout;

    WorkerLinkHandler(GatewayServer gateway) {
        this.gateway = gateway;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        helloTimeout = ctx.executor().schedule(() -> {
            log.warn("Gateway: link from {} sent no Hello within {} ms; closing it", ctx.channel().remoteAddress(),
                    LinkProtocol.HELLO_TIMEOUT_MILLIS);
            ctx.close();
        }, LinkProtocol.HELLO_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Envelope msg) {
        if (link == null) {
            if (!msg.hasHello()) {
                refuse(ctx, "expected Hello as the first message, got " + msg.getBodyCase());
                return;
            }
            hello(ctx, msg.getHello());
            return;
        }
        switch (msg.getBodyCase()) {
            case COMMAND -> commands.execute(msg.getCommand());
            case CREDIT -> {
                if (msg.getCredit().getEvents() > 0) {
                    link.credit(msg.getCredit().getApp(), msg.getCredit().getEvents());
                }
                for (int i = 0; i < msg.getCredit().getAcksCount(); i++) {
                    commands.acked(msg.getCredit().getAcks(i));
                }
            }
            case KEPT -> kept(msg.getKept());
            case EXPIRED -> expired(msg.getExpired());
            case DRAINING -> {
                log.info("Worker {} is stopping: its {} client(s) move to other workers as it finishes their events",
                        link, link.bound());
                link.drain();
                gateway.links().updated();
            }
            case APPS -> {
                link.apps(msg.getApps().getAppsList());
                log.info("Worker {} now serves {}", link, describeApps());
                gateway.links().updated();
            }
            case BARRIER_DONE -> gateway.barrierDone(msg.getBarrierDone().getId());
            case PING -> LinkProtocol.pong(ctx, msg.getPing());
            case PONG -> { }
            default -> log.debug("Gateway: ignoring {} from worker {}", msg.getBodyCase(), link);
        }
    }

    private void hello(ChannelHandlerContext ctx, Hello hello) {
        helloTimeout.cancel(false);
        String mismatch = LinkProtocol.versionMismatch(hello.getProtocolVersion(), "gateway");
        if (mismatch != null) {
            refuse(ctx, mismatch);
            return;
        }
        if (hello.getRole() != Role.WORKER) {
            refuse(ctx, "role " + hello.getRole() + " cannot link to a gateway here (expected: WORKER)");
            return;
        }
        String name = hello.getName().isEmpty() ? String.valueOf(ctx.channel().remoteAddress()) : hello.getName();
        long window = hello.getCreditWindow() > 0 ? hello.getCreditWindow() : gateway.limits().linkCreditWindow();
        link = new WorkerLink(ctx.channel(), name, window, gateway.limits().linkCreditWindow() * 4, QUEUED_WORK_HIGH);
        link.apps(hello.getAppsList());
        commands = new CommandExecutor(gateway, link);
        ctx.writeAndFlush(Envelope.newBuilder().setWelcome(Welcome.newBuilder()
                .setProtocolVersion(LinkProtocol.VERSION)
                .setGatewayAddress(gateway.internalAddress().toString())
                .setName("gateway@" + gateway.internalAddress()).setRun(gateway.run())).build(), ctx.voidPromise());
        gateway.links().add(link);
        if (gateway.memoryPressed()) {
            link.memoryPressure(true);
        }
        log.info("Worker {} linked; it serves {}", link, describeApps());
    }

    /**
     * The worker's link came back within its lease: it kept these clients. Each one with no other worker
     * binds back to it; for each of the others it hears Released.
     */
    private void kept(Kept kept) {
        if (kept.getRun() != gateway.run()) {
            return; // clients of a previous run of this gateway: the worker learnt that from the Welcome
        }
        for (int i = 0; i < kept.getConnectionsCount(); i++) {
            int connection = kept.getConnections(i);
            ClientConnection client = gateway.table().get(connection);
            if (client == null) {
                link.release(connection); // it left; its CLOSE goes to whichever worker is found
            } else {
                client.loop().execute(() -> client.reattach(link));
            }
        }
        log.info("Worker {} is back within its lease and kept {} client(s)", link, kept.getConnectionsCount());
    }

    /** The worker gave these clients up (onClose ran) while its link was down: close those no other worker has. */
    private void expired(Expired expired) {
        if (expired.getRun() != gateway.run()) {
            return;
        }
        log.warn("Worker {} came back after its lease and gave up {} client(s): closing those it served alone", link,
                expired.getConnectionsCount());
        for (int i = 0; i < expired.getConnectionsCount(); i++) {
            ClientConnection client = gateway.table().get(expired.getConnections(i));
            if (client != null) {
                client.loop().execute(() -> client.givenUpBy(link));
            }
        }
    }

    private String describeApps() {
        if (link.apps().isEmpty()) {
            return "no app";
        }
        return link.apps().stream()
                .map(a -> a.getId() + " " + a.getVersion() + (a.getServing() ? "" : " (not serving)"))
                .collect(Collectors.joining(", "));
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        LinkProtocol.refuse(ctx, log, "Gateway", reason);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (commands != null) {
            commands.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (link != null && ctx.channel().isWritable()) {
            link.out().resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
        if (link != null) {
            if (commands != null) {
                commands.flush();
            }
            link.closed();
            gateway.links().remove(link);
            if (!gateway.stopping() && !link.draining()) {
                log.warn("Worker {} unlinked; its {} client(s) move to other workers, the events it had not"
                        + " confirmed first (marked redelivered)", link, link.bound());
            } else if (link.draining()) {
                log.info("Worker {} left: its clients moved", link);
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("Gateway: link from worker {} failed: {}", link, cause.toString());
        ctx.close();
    }
}
