package io.gatewayworker.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport of the benchmark's own processes: native epoll where it loads (as the host uses),
 * NIO when asked for or when epoll is not available. Stateless.
 */
public enum Transports {
    EPOLL,
    NIO;

    /** {@code name} is "epoll" or "nio"; epoll falls back to NIO when the native library does not load. */
    public static Transports of(String name) {
        if (name.equals("nio") || !Epoll.isAvailable()) {
            return NIO;
        }
        return EPOLL;
    }

    public EventLoopGroup group(int threads, String threadName) {
        IoHandlerFactory factory = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), factory);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> channel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
