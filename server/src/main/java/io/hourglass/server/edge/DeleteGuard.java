package io.hourglass.server.edge;

import io.hourglass.server.queue.QueueException;
import io.hourglass.server.queue.QueueException.Kind;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Guards deleteQueue with a password checked against a salted PBKDF2 hash from server config
 * ({@code queue.deletePasswordHash}). Without a hash, deletion is refused. Generate a hash with
 * {@code java -cp server/target/hourglass-server.jar io.hourglass.server.edge.DeleteGuard PASSWORD}.
 */
public final class DeleteGuard {
  static final String CONFIG_KEY = "queue.deletePasswordHash";
  private static final String SCHEME = "pbkdf2-sha256";
  private static final int ITERATIONS = 210_000;

  private final String hash;
  private final String key;

  DeleteGuard(String hash) {
    this(hash, CONFIG_KEY);
  }

  /** A guard for the credential hashed in config key {@code key} (also the dashboard's admin.passwordHash). */
  public DeleteGuard(String hash, String key) {
    this.hash = hash == null ? "" : hash.trim();
    this.key = key;
    if (!this.hash.isEmpty()) {
      parse(this.hash, key); // fail at start, not at the first delete
    }
  }

  /** Whether {@code password} is the one hashed in config; false when none is configured. */
  public boolean matches(String password) {
    if (hash.isEmpty() || password == null) {
      return false;
    }
    String[] p = parse(hash, key);
    byte[] expected = Base64.getDecoder().decode(p[3]);
    return MessageDigest.isEqual(expected, derive(password, Base64.getDecoder().decode(p[2]), Integer.parseInt(p[1])));
  }

  void check(String password) {
    if (hash.isEmpty()) {
      throw new QueueException(Kind.PASSWORD_INVALID, "password: queue deletion is disabled on this server; set "
          + CONFIG_KEY + " (generate one with: java -cp hourglass-server.jar io.hourglass.server.edge.DeleteGuard PASSWORD)");
    }
    if (!matches(password)) {
      throw new QueueException(Kind.PASSWORD_INVALID, "password: wrong password for deleteQueue");
    }
  }

  private static String[] parse(String hash, String key) {
    String[] p = hash.split(":");
    if (p.length != 4 || !p[0].equals(SCHEME)) {
      throw new IllegalArgumentException(key + " must look like " + SCHEME + ":<iterations>:<salt>:<hash>");
    }
    return p;
  }

  public static String hash(String password) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return SCHEME + ":" + ITERATIONS + ":" + b64.encodeToString(salt) + ":"
        + b64.encodeToString(derive(password, salt, ITERATIONS));
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    try {
      KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    }
  }

  /** Prints the config value for the password given as the only argument. */
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: DeleteGuard PASSWORD");
      System.exit(2);
    }
    System.out.println(CONFIG_KEY + "=" + hash(args[0]));
    System.out.flush();
  }
}
