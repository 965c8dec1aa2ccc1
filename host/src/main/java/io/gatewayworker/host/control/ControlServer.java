package io.gatewayworker.host.control;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.gatewayworker.host.transport.EventLoops;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control endpoint that {@code bin/gatewayworker status|connections|reload|stop|config} talk to:
 * TCP on 127.0.0.1 only, one request per connection.
 *
 * <pre>
 *   request:   TOKEN TAB command line LF          (at most 64 KiB; 30 s to send it)
 *   response:  the command's output, then a line ".exit N" with its status, then close
 * </pre>
 *
 * A request without the token of the {@link ControlFile} is refused and logged. Commands run on a
 * virtual thread, never on the network thread.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final int MAX_REQUEST = 64 * 1024;

    private final AdminCommands commands;
    private final Path dataDir;
    private Channel channel;
    private ControlFile file;

    public ControlServer(AdminCommands commands, Path dataDir) {
        this.commands = commands;
        this.dataDir = dataDir;
    }

    /**
     * Binds 127.0.0.1:{@code port} (0 picks one) on the host's network threads and writes the control
     * file.
     *
     * @throws IOException when the port cannot be bound or the file written
     */
    public void start(EventLoops loops, int port) throws IOException {
        try {
            channel = loops.publicServer()
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(30, TimeUnit.SECONDS),
                                    new LineBasedFrameDecoder(MAX_REQUEST),
                                    new StringDecoder(StandardCharsets.UTF_8),
                                    new StringEncoder(StandardCharsets.UTF_8),
                                    new Handler());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        } catch (Exception e) {
            throw new IOException("the control endpoint cannot listen on 127.0.0.1:" + port + ": " + e.getMessage()
                    + " (set control.port to a free port, or 0)", e);
        }
        int bound = ((InetSocketAddress) channel.localAddress()).getPort();
        file = ControlFile.create(bound);
        file.write(dataDir);
        log.info("Control endpoint on 127.0.0.1:{} (token in {})", bound, ControlFile.path(dataDir));
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (file != null) {
            file.delete(dataDir);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<String> {
        private boolean handled;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String request) {
            if (handled) {
                return; // one request per connection
            }
            handled = true;
            int tab = request.indexOf('\t');
            String token = tab < 0 ? "" : request.substring(0, tab);
            if (tab < 0 || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                    file.token().getBytes(StandardCharsets.UTF_8))) {
                log.warn("Control endpoint: refused a request from {} without the right token", ctx.channel().remoteAddress());
                ctx.writeAndFlush("unauthorized: the token does not match " + ControlFile.path(dataDir) + "\n.exit 1\n")
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            String line = request.substring(tab + 1);
            Thread.ofVirtual().name("gw-control").start(() -> {
                StringWriter text = new StringWriter();
                int status;
                try (PrintWriter out = new PrintWriter(text)) {
                    status = commands.execute(line, out);
                }
                String body = text.toString();
                if (!body.isEmpty() && !body.endsWith("\n")) {
                    body += "\n";
                }
                ctx.writeAndFlush(body + ".exit " + status + "\n").addListener(ChannelFutureListener.CLOSE);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("Control connection failed: {}", cause.toString());
            ctx.close();
        }
    }
}
