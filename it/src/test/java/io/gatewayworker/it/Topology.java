package io.gatewayworker.it;

import java.net.URI;
import java.nio.file.Path;

/**
 * How the roles of a server under test are laid out. The API suite runs against each: the embedded
 * mode now, a cluster of processes when the distributed mode lands. Clients spread over the gateways
 * by index, so that sends and queries cross gateways when there are several.
 */
interface Topology extends AutoCloseable {

    /** Starts the server with the app jars in {@code dir/plugins}. */
    void start(Path dir) throws Exception;

    /** The public WebSocket endpoint for the {@code index}-th client. */
    URI endpoint(int index);

    @Override
    void close();

    /** All roles in one JVM, linked in memory. */
    final class Embedded implements Topology {
        private TestHost host;

        @Override
        public void start(Path dir) {
            host = TestHost.start(dir);
        }

        @Override
        public URI endpoint(int index) {
            return host.uri();
        }

        @Override
        public void close() {
            if (host != null) {
                host.close();
            }
        }

        @Override
        public String toString() {
            return "embedded";
        }
    }
}
