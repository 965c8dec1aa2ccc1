package io.gatewayworker.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rooms example, from its Maven-built jar: login by uid, rooms, private messages. */
class RoomsExampleTest {

    @TempDir
    Path dir;

    @Test
    void usersLogInJoinRoomsTalkAndWhisper() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        Files.copy(Path.of(System.getProperty("gw.apps.dir"), "rooms.jar"), dir.resolve("plugins/rooms.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        try (TestHost server = TestHost.start(dir);
             WsClient ann = server.client();
             WsClient bob = server.client();
             WsClient cid = server.client()) {
            ann.send("join lobby").expect("login first: login NAME");
            ann.send("login ann").expect("welcome ann");
            bob.send("login bob").expect("welcome bob");
            cid.send("login cid").expect("welcome cid");

            ann.send("join lobby").expect("ann joined lobby");
            bob.send("join lobby");
            ann.expect("bob joined lobby");
            bob.expect("bob joined lobby");

            bob.send("say lobby hello");
            ann.expect("bob@lobby: hello");
            bob.expect("bob@lobby: hello");
            cid.expectNothing(Duration.ofMillis(150));

            cid.send("tell ann psst");
            ann.expect("cid whispers: psst");
            bob.expectNothing(Duration.ofMillis(150));

            ann.send("say");
            ann.expect("usage: login NAME | join ROOM | leave ROOM | say ROOM TEXT | tell NAME TEXT");
        }
    }
}
