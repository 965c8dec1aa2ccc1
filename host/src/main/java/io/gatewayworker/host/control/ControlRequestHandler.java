package io.gatewayworker.host.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control connection, after a {@code LineBasedFrameDecoder} (fail-fast, at most
 * {@code maxLineBytes}): takes its one request line {@code TOKEN TAB command}, checks the token, runs
 * the command on the command pool and answers with the command's output and {@code .exit N}, then
 * closes. Refused with a one-line answer, a log line and the connection closed: a wrong token (nothing
 * runs), a line longer than the bound, and a line not complete within the deadline after connect,
 * however it trickles in.
 *
 * <p>Event-loop confined: every callback runs on the connection's event loop; the command runs on the
 * pool, and its answer goes back through {@code writeAndFlush}, which hands it to the event loop.
 */
final class ControlRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ControlRequestHandler.class);

    /** Runs one command line, writing its answer; returns its exit status ({@link AdminCommands#execute}). */
    interface Commands {
        int execute(String line, PrintWriter out);
    }

    private final byte[] token;
    private final String tokenSource;
    private final Commands commands;
    private final Executor pool;
    private final long deadlineMillis;
    private final int maxLineBytes;
    private boolean requested;
    private ScheduledFuture<?> deadline;

    /**
     * @param token the secret the request must start with
     * @param tokenSource where clients find the token, for the refusal's answer
     * @param commands what runs the command line
     * @param pool where commands run: platform threads, never a network thread
     * @param deadlineMillis how long after connect the whole request line may take
     * @param maxLineBytes the bound of the decoder before this handler, for messages
     */
    ControlRequestHandler(String token, String tokenSource, Commands commands, Executor pool, long deadlineMillis,
            int maxLineBytes) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.tokenSource = tokenSource;
        this.commands = commands;
        this.pool = pool;
        this.deadlineMillis = deadlineMillis;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> expire(ctx), deadlineMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    private void expire(ChannelHandlerContext ctx) {
        if (requested || !ctx.channel().isActive()) {
            return;
        }
        requested = true;
        log.warn("Control endpoint: closed the connection from {}: no complete request line within {} ms of"
                + " connecting", ctx.channel().remoteAddress(), deadlineMillis);
        answer(ctx, "timeout: no complete request line within " + deadlineMillis + " ms of connecting", 1);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        String request;
        try {
            if (requested) {
                return; // one request per connection; the rest is ignored
            }
            request = ((ByteBuf) msg).toString(StandardCharsets.UTF_8);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        startRequest(ctx);
        int tab = request.indexOf('\t');
        if (tab < 0 || !MessageDigest.isEqual(request.substring(0, tab).getBytes(StandardCharsets.UTF_8), token)) {
            log.warn("Control endpoint: refused a request from {}: {}", ctx.channel().remoteAddress(),
                    tab < 0 ? "it carries no token" : "its token is wrong");
            answer(ctx, "unauthorized: the request must start with the token in " + tokenSource + " and a tab", 1);
            return;
        }
        String line = request.substring(tab + 1);
        try {
            pool.execute(() -> run(ctx, line));
        } catch (RejectedExecutionException e) {
            log.warn("Control endpoint: no thread for a command from {}: {}", ctx.channel().remoteAddress(),
                    e.getMessage());
            answer(ctx, "busy: too many commands are running; try again when one has finished", 1);
        }
    }

    /** On the pool. */
    private void run(ChannelHandlerContext ctx, String line) {
        StringWriter text = new StringWriter();
        int status;
        try (PrintWriter out = new PrintWriter(text)) {
            try {
                status = commands.execute(line, out);
            } catch (RuntimeException | Error e) {
                log.warn("Control endpoint: the command '{}' failed", line, e);
                out.println("failed: " + e);
                status = 1;
            }
        }
        answer(ctx, text.toString(), status);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException && !requested) {
            startRequest(ctx);
            log.warn("Control endpoint: refused a request from {}: its line is longer than {} bytes",
                    ctx.channel().remoteAddress(), maxLineBytes);
            answer(ctx, "refused: the request line is longer than " + maxLineBytes + " bytes (expected: at most "
                    + maxLineBytes + ", ending with LF)", 2);
            return;
        }
        if (requested) {
            // Bytes after the request: ignored; the answer is on its way.
            log.debug("Control connection from {}: {} after its request", ctx.channel().remoteAddress(), cause.toString());
            return;
        }
        log.debug("Control connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** The request line is in (or refused): no more reading, no deadline. */
    private void startRequest(ChannelHandlerContext ctx) {
        requested = true;
        cancelDeadline();
        ctx.channel().config().setAutoRead(false);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Any thread: the text, {@code .exit status}, then close. */
    private static void answer(ChannelHandlerContext ctx, String body, int status) {
        String text = body.isEmpty() || body.endsWith("\n") ? body : body + "\n";
        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), text + ".exit " + status + "\n"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
