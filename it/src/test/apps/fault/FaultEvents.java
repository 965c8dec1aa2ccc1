package test.fault;

import io.gatewayworker.api.AppContext;
import io.gatewayworker.api.Client;
import io.gatewayworker.api.Events;
import io.gatewayworker.api.Gateway;
import org.pf4j.Extension;

/**
 * The app of the cluster fault tests. Says which worker runs it (system property {@code gw.test.worker}):
 * <ul>
 *   <li>on connect: "hello|WORKER|CLIENT-ID";
 *   <li>"watch": the client joins the group "watchers", which hears of every onClose
 *       ("closed|CLIENT-ID|WORKER");
 *   <li>any other message M: "M|R|WORKER", R being "r" when the event came redelivered, "-" otherwise.
 * </ul>
 */
@Extension
public class FaultEvents implements Events {

    private static final String WORKER = System.getProperty("gw.test.worker", "worker");
    private volatile Gateway gateway;

    @Override
    public void onWorkerStart(AppContext context) {
        gateway = context.gateway();
    }

    @Override
    public void onConnect(Client client) {
        gateway.sendToClient(client.id(), "hello|" + WORKER + "|" + client.id());
    }

    @Override
    public void onMessage(Client client, String message) {
        if (message.equals("watch")) {
            gateway.joinGroup(client.id(), "watchers");
            gateway.sendToClient(client.id(), "watching|" + WORKER);
            return;
        }
        gateway.sendToClient(client.id(), message + "|" + (client.redelivered() ? "r" : "-") + "|" + WORKER);
    }

    @Override
    public void onClose(Client client) {
        gateway.sendToGroup("watchers", "closed|" + client.id() + "|" + WORKER);
    }
}
