package io.gatewayworker.examples.rooms;

import io.gatewayworker.api.*;
import java.time.Duration;
import org.pf4j.Extension;

/** Commands: "login NAME", "join ROOM", "leave ROOM", "say ROOM TEXT", "tell NAME TEXT". */
@Extension
public class RoomsEvents implements Events {

    private volatile Gateway gateway;

    @Override
    public void onWorkerStart(AppContext context) {
        gateway = context.gateway();
        context.timers().every(Duration.ofSeconds(30),
                () -> gateway.sendToAll("online: " + gateway.getAllUidCount() + " user(s)"));
    }

    @Override
    public void onMessage(Client client, String message) {
        String[] words = message.split(" ", 3);
        int needed = switch (words[0]) { case "say", "tell" -> 3; case "login", "join", "leave" -> 2; default -> 1; };
        if (words.length < needed) {
            gateway.sendToClient(client.id(), "usage: login NAME | join ROOM | leave ROOM | say ROOM TEXT | tell NAME TEXT");
            return;
        }
        String me = client.session().getString("name");
        if (me == null && !words[0].equals("login")) {
            gateway.sendToClient(client.id(), "login first: login NAME");
            return;
        }
        switch (words[0]) {
            case "login" -> {
                client.session().put("name", words[1]);
                gateway.bindUid(client.id(), words[1]);
                gateway.sendToClient(client.id(), "welcome " + words[1]);
            }
            case "join" -> {
                gateway.joinGroup(client.id(), words[1]);
                gateway.sendToGroup(words[1], me + " joined " + words[1]);
            }
            case "leave" -> gateway.leaveGroup(client.id(), words[1]);
            case "say" -> gateway.sendToGroup(words[1], me + "@" + words[1] + ": " + words[2]);
            case "tell" -> gateway.sendToUid(words[1], me + " whispers: " + words[2]);
            default -> gateway.sendToClient(client.id(), "unknown command: " + words[0]);
        }
    }
}
