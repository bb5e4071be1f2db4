// Readiness probe for the broker started by infra/kafka/kafka.sh: succeeds once the broker really
// serves requests (metadata with a registered broker, an elected KRaft controller, a topic listing),
// not merely once its port accepts connections. Compiled once by kafka.sh against the broker's jars
// (kafka-clients), run as:  java -cp <probe>:<lib>/* Probe <bootstrap> <timeout-seconds> [<pid>]
// Exit 0 ready, 1 timed out, 2 the broker process <pid> exited.
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;

public class Probe {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    Long pid = args.length > 2 && !args[2].isEmpty() ? Long.valueOf(args[2]) : null;

    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "flowlog-kafka-probe");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
    p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "200");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "200");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, "2000");
    p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, "5000");

    String last = "no answer yet";
    try (Admin admin = Admin.create(p)) {
      while (true) {
        if (pid != null && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          System.err.println("probe: broker process " + pid + " exited (" + last + ")");
          System.exit(2);
        }
        try {
          DescribeClusterResult cluster = admin.describeCluster();
          Collection<Node> nodes = cluster.nodes().get(8, TimeUnit.SECONDS);
          Node controller = cluster.controller().get(8, TimeUnit.SECONDS);
          String clusterId = cluster.clusterId().get(8, TimeUnit.SECONDS);
          if (nodes.isEmpty()) throw new IllegalStateException("no broker registered yet");
          QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(8, TimeUnit.SECONDS);
          if (quorum.leaderId() < 0) throw new IllegalStateException("no KRaft leader yet");
          Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(8, TimeUnit.SECONDS);
          System.out.println("ready: cluster " + clusterId + ", " + nodes.size() + " broker(s), controller "
              + (controller == null ? "?" : controller.id()) + ", KRaft leader " + quorum.leaderId()
              + " (epoch " + quorum.leaderEpoch() + "), " + topics.size() + " topic(s)");
          System.exit(0);
        } catch (Exception e) {
          Throwable c = e.getCause() != null ? e.getCause() : e;
          last = c.getClass().getSimpleName() + ": " + c.getMessage();
        }
        if (System.nanoTime() > deadline) {
          System.err.println("probe: broker at " + bootstrap + " not ready in time (last: " + last + ")");
          System.exit(1);
        }
        Thread.sleep(300);
      }
    }
  }
}
