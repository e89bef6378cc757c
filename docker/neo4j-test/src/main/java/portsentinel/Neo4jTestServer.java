package portsentinel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * A real Neo4j 5.26 LTS (Community, embedded DBMS with the Bolt connector) for the
 * conformance suite. Usage: {@code Neo4jTestServer <port> <home-dir>}. Listens on
 * 127.0.0.1:&lt;port&gt; only, auth disabled (loopback, throw-away data), prints
 * {@code NEO4J READY bolt://127.0.0.1:<port>} once Bolt answers, and shuts down cleanly on
 * SIGTERM/SIGINT or when its standard input closes (so it never outlives the test run).
 */
public final class Neo4jTestServer {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Neo4jTestServer <bolt-port> <home-dir>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]).toAbsolutePath();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                // 64 MiB for tests; benchmarks size it with -Dportsentinel.pagecache=<bytes>
                .setConfig(GraphDatabaseSettings.pagecache_memory,
                        Long.getLong("portsentinel.pagecache", 64L * 1024 * 1024))
                .build();
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME); // waits until available
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stop.countDown();
        }, "neo4j-test-shutdown"));
        System.out.println("NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread watcher = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() != -1) { /* drain until closed */ }
            } catch (IOException ignored) {
                // fall through: a broken stdin means our parent is gone
            }
            System.exit(0); // runs the shutdown hook
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
    }
}
