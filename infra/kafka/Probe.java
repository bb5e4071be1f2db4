// Readiness probe for the broker started by infra/kafka/kafka.sh: succeeds once the broker really
// serves requests (metadata with a registered broker, an elected KRaft controller, a topic listing),
// not merely once its port accepts connections. Compiled once by kafka.sh against the broker's jars
// (kafka-clients), run as:
//   java -cp <probe>:<lib>/* Probe <bootstrap> <timeout-seconds> [<pid>]
//        [--sasl <user> <password> <sasl-plaintext-bootstrap> <sasl-ssl-bootstrap> <ca-pem-file>]
// With --sasl it then makes sure the user has SCRAM-SHA-256 and SCRAM-SHA-512 credentials (created
// through the Admin API when missing, so a data dir formatted without them gets them too) and that
// both SASL listeners accept the user with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (SASL_SSL: TLS
// verified against the CA file, host name included).
// Exit 0 ready, 1 timed out, 2 the broker process <pid> exited, 3 the SASL listeners refused or
// did not answer in time.
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;

public class Probe {
  static final List<ScramMechanism> SCRAM = List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512);
  static final String[] MECHANISMS = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    Long pid = args.length > 2 && !args[2].isEmpty() ? Long.valueOf(args[2]) : null;
    boolean sasl = args.length > 3 && args[3].equals("--sasl");
    if (args.length > 3 && (!sasl || args.length != 9)) {
      System.err.println("usage: Probe <bootstrap> <timeout-seconds> [<pid>] [--sasl <user> <password> <sasl-bootstrap> <sasl-ssl-bootstrap> <ca-file>]");
      System.exit(64);
    }

    String last = "no answer yet";
    try (Admin admin = Admin.create(base(bootstrap))) {
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
          break;
        } catch (Exception e) {
          last = message(e);
        }
        if (System.nanoTime() > deadline) {
          System.err.println("probe: broker at " + bootstrap + " not ready in time (last: " + last + ")");
          System.exit(1);
        }
        Thread.sleep(300);
      }
      if (sasl) System.exit(saslReady(admin, args[4], args[5], args[6], args[7], args[8], deadline));
    }
    System.exit(0);
  }

  /** SCRAM credentials in place, then every SASL listener x mechanism accepts the user. */
  static int saslReady(Admin admin, String user, String password, String saslBootstrap, String sslBootstrap,
                       String caFile, long deadline) throws Exception {
    String created;
    try {
      created = ensureScram(admin, user, password, false);
    } catch (Exception e) {
      System.err.println("probe: creating the SCRAM credentials of " + user + " failed: " + message(e));
      return 3;
    }
    Map<String, Properties> checks = new LinkedHashMap<>();
    for (String m : MECHANISMS) checks.put("SASL_PLAINTEXT " + m, client(saslBootstrap, "SASL_PLAINTEXT", m, user, password, null));
    for (String m : MECHANISMS) checks.put("SASL_SSL " + m, client(sslBootstrap, "SASL_SSL", m, user, password, caFile));
    boolean reupserted = false;
    Map<String, String> failed = new LinkedHashMap<>();
    while (true) {
      // all at once: one round trip of TLS + SASL handshakes, not six in a row
      failed.clear();
      boolean scramRefused = false;
      List<Admin> admins = new ArrayList<>();
      Map<String, Future<Collection<Node>>> pending = new LinkedHashMap<>();
      try {
        for (Map.Entry<String, Properties> c : checks.entrySet()) {
          Admin a = Admin.create(c.getValue());
          admins.add(a);
          pending.put(c.getKey(), a.describeCluster().nodes());
        }
        for (Map.Entry<String, Future<Collection<Node>>> f : pending.entrySet()) {
          try {
            f.getValue().get(8, TimeUnit.SECONDS);
          } catch (Exception e) {
            failed.put(f.getKey(), message(e));
            if (f.getKey().contains("SCRAM") && cause(e) instanceof SaslAuthenticationException) scramRefused = true;
          }
        }
      } finally {
        for (Admin a : admins) a.close(java.time.Duration.ofSeconds(1));
      }
      if (failed.isEmpty()) {
        System.out.println("sasl: " + user + " accepted with " + String.join(", ", MECHANISMS) + " on " + saslBootstrap
            + " (SASL_PLAINTEXT) and " + sslBootstrap + " (SASL_SSL, TLS verified with " + caFile + ")"
            + (created.isEmpty() ? "" : "; set the SCRAM credentials " + created));
        return 0;
      }
      // credentials present but refused: made with another password (an older kafka.sh): set them again, once
      if (scramRefused && !reupserted && created.isEmpty()) {
        try {
          created = ensureScram(admin, user, password, true);
        } catch (Exception e) {
          failed.put("SCRAM upsert", message(e));
        }
        reupserted = true;
      }
      if (System.nanoTime() > deadline) {
        failed.forEach((k, v) -> System.err.println("probe: " + k + ": " + v));
        return 3;
      }
      Thread.sleep(300);
    }
  }

  /** Upserts the SCRAM credentials the user lacks (all of them when force); returns what it set. */
  static String ensureScram(Admin admin, String user, String password, boolean force) throws Exception {
    Set<ScramMechanism> have = EnumSet.noneOf(ScramMechanism.class);
    if (!force) {
      try {
        UserScramCredentialsDescription d = admin.describeUserScramCredentials(List.of(user)).description(user).get(8, TimeUnit.SECONDS);
        for (ScramCredentialInfo i : d.credentialInfos()) have.add(i.mechanism());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof ResourceNotFoundException)) throw e;
      }
    }
    List<String> names = new ArrayList<>();
    for (ScramMechanism m : SCRAM) {
      if (have.contains(m)) continue;
      // one request per mechanism: the broker refuses two alterations of one user in a request
      List<UserScramCredentialAlteration> upsert = List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(m, 4096), password));
      admin.alterUserScramCredentials(upsert).all().get(8, TimeUnit.SECONDS);
      names.add(m.mechanismName());
    }
    return String.join(", ", names);
  }

  static Properties base(String bootstrap) {
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
    return p;
  }

  static Properties client(String bootstrap, String protocol, String mechanism, String user, String password, String caFile) {
    Properties p = base(bootstrap);
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    p.put(SaslConfigs.SASL_MECHANISM, mechanism);
    String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaas(user) + "\" password=\"" + jaas(password) + "\";");
    if (caFile != null) {
      p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caFile);
      p.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https");
    }
    return p;
  }

  static String jaas(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\""); }

  static Throwable cause(Throwable e) {
    return (e instanceof ExecutionException && e.getCause() != null) ? e.getCause() : e;
  }

  static String message(Throwable e) {
    Throwable c = e.getCause() != null ? e.getCause() : e;
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}
