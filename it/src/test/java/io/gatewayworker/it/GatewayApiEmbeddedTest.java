package io.gatewayworker.it;

/** The Gateway API suite against the embedded mode: all roles in one JVM. */
class GatewayApiEmbeddedTest extends GatewayApiSuite {

    @Override
    Topology topology() {
        return new Topology.Embedded();
    }
}
