package io.gatewayworker.host.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionLimitHandlerTest {

    @Test
    void refusesPastTheLimitAndCountsDownWhenAConnectionCloses() {
        ConnectionLimitHandler limiter = new ConnectionLimitHandler("ws://127.0.0.1:0", 2);
        EmbeddedChannel a = new EmbeddedChannel(limiter, new ChannelInboundHandlerAdapter());
        EmbeddedChannel b = new EmbeddedChannel(limiter, new ChannelInboundHandlerAdapter());
        assertTrue(a.isActive());
        assertTrue(b.isActive());
        assertEquals(2, limiter.open());

        EmbeddedChannel c = new EmbeddedChannel(limiter, new ChannelInboundHandlerAdapter());
        assertFalse(c.isOpen(), "the third connection is refused");
        assertEquals(2, limiter.open());

        a.close();
        assertEquals(1, limiter.open());
        EmbeddedChannel d = new EmbeddedChannel(limiter, new ChannelInboundHandlerAdapter());
        assertTrue(d.isActive(), "a freed place is taken again");
        assertEquals(2, limiter.open());

        b.close();
        d.close();
        assertEquals(0, limiter.open());
    }

    @Test
    void anAdmittedConnectionCarriesNoContextForIt() {
        ConnectionLimitHandler limiter = new ConnectionLimitHandler("ws://127.0.0.1:0", 10);
        EmbeddedChannel ch = new EmbeddedChannel(limiter, new ChannelInboundHandlerAdapter());
        assertNull(ch.pipeline().context(limiter));
        ch.close();
        assertEquals(0, limiter.open());
    }
}
