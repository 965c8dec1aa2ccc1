package io.gatewayworker.bench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapTest {

    private static final String EMPTY = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000         100000  [B (java.base@25.0.1)
               2:           500          12000  java.lang.String (java.base@25.0.1)
            Total          1500         112000
            """;

    private static final String FULL = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          3000         300000  [B (java.base@25.0.1)
               2:          1500          36000  java.lang.String (java.base@25.0.1)
               3:          1000          80000  io.netty.channel.epoll.EpollSocketChannel
            Total          5500         416000
            """;

    @Test
    void parsesTheTotalAndTheClasses() {
        Heap.Histogram h = Heap.parse(FULL);
        assertEquals(416000, h.totalBytes());
        assertEquals(5500, h.totalInstances());
        assertEquals(80000, h.classes().get("io.netty.channel.epoll.EpollSocketChannel").bytes());
    }

    @Test
    void growthPerConnectionLargestFirst() {
        List<Heap.Entry> growth = Heap.parse(FULL).growthPer(Heap.parse(EMPTY), 1000, 2);
        assertEquals(2, growth.size());
        assertEquals("[B", growth.get(0).className());
        assertEquals(200, growth.get(0).bytes());
        assertEquals("io.netty.channel.epoll.EpollSocketChannel", growth.get(1).className());
        assertEquals(80, growth.get(1).bytes());
    }
}
