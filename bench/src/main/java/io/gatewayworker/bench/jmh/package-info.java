/**
 * JMH benchmarks of the host's hot paths: the client id codec, session encoding, the internal messages
 * (protobuf envelopes), and the outbound queue of links. Run them with
 * {@code java -jar bench/target/benchmarks.jar} (or {@code bin/bench jmh}); never during the build.
 *
 * <p>Each fork runs with a fixed, pre-touched 1 GiB heap ({@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch}): on
 * the reference machine (a VM) the first touch of a heap page is so slow that an allocating benchmark
 * on a growing default heap swings from 15 to 800 ns per operation between iterations.
 */
package io.gatewayworker.bench.jmh;
