/**
 * The API of a GatewayWorker app: all that business code compiles against.
 *
 * <h2>Ten-minute tour</h2>
 * An app is a PF4J plugin jar dropped into the server's {@code plugins/} folder. Its one extension
 * implements {@link io.gatewayworker.api.Events}; the server calls it when a client connects, sends a
 * message or leaves, and the app answers through the {@link io.gatewayworker.api.Gateway} it received
 * in {@link io.gatewayworker.api.AppContext}:
 *
 * <pre>{@code
 * @Extension
 * public class ChatEvents implements Events {
 *     private Gateway gateway;
 *
 *     public void onWorkerStart(AppContext context) { gateway = context.gateway(); }
 *
 *     public void onConnect(Client client) {
 *         gateway.sendToClient(client.id(), "Hello " + client.id());
 *         gateway.sendToAll(client.id() + " login");
 *     }
 *
 *     public void onMessage(Client client, String message) {
 *         gateway.sendToAll(client.id() + " said " + message);
 *     }
 *
 *     public void onClose(Client client) { gateway.sendToAll(client.id() + " logout"); }
 * }
 * }</pre>
 *
 * <h2>Starting points</h2>
 * <ul>
 *   <li>{@link io.gatewayworker.api.Events}: the callbacks an app implements.</li>
 *   <li>{@link io.gatewayworker.api.Gateway}: pushes to one client, a uid, a group or everyone; binds
 *       uids, joins groups, keeps sessions, and answers questions about the app's clients.</li>
 *   <li>{@link io.gatewayworker.api.Client} and {@link io.gatewayworker.api.Session}: who an event is
 *       about, and the data kept for that client between events.</li>
 *   <li>{@link io.gatewayworker.api.Handshake}: the WebSocket upgrade request, where an app may refuse
 *       a client.</li>
 *   <li>{@link io.gatewayworker.api.AppContext}: what an app receives when it starts, including its
 *       {@link io.gatewayworker.api.Timers}.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Callbacks run on virtual threads, never on the server's network threads. The events of one client
 * reach the app one at a time, in the order the client sent them; events of different clients run
 * concurrently, so an {@code Events} object is shared between threads and its fields must be
 * thread-safe. A callback may block (a database call, a sleep): it delays only the client it is
 * about. On JDK 21 prefer {@code java.util.concurrent} locks to {@code synchronized} around blocking
 * code, which pins the carrier thread.
 *
 * <h2>Building an app</h2>
 * Declare this artifact and {@code org.pf4j:pf4j} with {@code provided} scope, run PF4J's annotation
 * processor (it writes {@code META-INF/extensions.idx}) and put {@code Plugin-Id} and
 * {@code Plugin-Version} in the jar's manifest. The classes of this package always come from the
 * server, even when a jar bundles a copy. The chat example under {@code plugins/chat} is a complete,
 * minimal app.
 *
 * <p>Unless a parameter or return value is documented as nullable, it is never {@code null}.
 */
package io.gatewayworker.api;
