package io.hourglass.server;

import io.hourglass.server.config.ConfigException;
import io.hourglass.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar hourglass-server.jar [--config server.properties] [key=value ...]}: runs the
 * server until SIGTERM / Ctrl-C.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Path file = null;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].contains("=")) {
        String[] kv = args[i].split("=", 2);
        overrides.put(kv[0], kv[1]);
      } else {
        System.err.println("usage: hourglass-server [--config FILE] [key=value ...]");
        System.exit(2);
      }
    }
    ServerConfig config;
    try {
      config = ServerConfig.load(file, overrides);
    } catch (ConfigException e) {
      System.err.println("hourglass: " + e.getMessage());
      System.exit(2);
      return;
    }
    HourglassServer server = HourglassServer.start(config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }
}
