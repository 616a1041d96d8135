package io.hourglass.server;

import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Random;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes on the Thrift port (libthrift 0.10, which we once used, had DoS bugs on crafted input): random
 * frames, lying length prefixes and oversized declared strings/containers must neither crash
 * the server nor make it allocate what the attacker declares. After each attack a well-behaved
 * client is served normally.
 */
class ProtocolFuzzTest {
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of(
        "thrift.maxStringBytes", "65536", "thrift.maxContainerItems", "1000"));
    server.client().createQueue(CONTEXT, "fuzz");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertStillServing() throws Exception {
    assertTrue(server.client().getQueueNames(CONTEXT).contains("fuzz"));
  }

  /** Sends bytes on a fresh connection, reads whatever comes back for a moment, closes. */
  private static void send(byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(100);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      s.shutdownOutput(); // nothing more is coming: the server may answer or close at once
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        while (in.read(buf) >= 0) {
          // drain until the server answers, closes or goes quiet
        }
      } catch (SocketTimeoutException | java.net.SocketException quiet) {
        // fine: the server may keep the connection open or reset it
      }
    }
  }

  private static byte[] framed(byte[] payload) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(payload.length);
    d.write(payload);
    return out.toByteArray();
  }

  @Test
  void randomFramesDoNotHurtTheServer() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 40; i++) {
      byte[] payload = new byte[random.nextInt(200)];
      random.nextBytes(payload);
      if (i % 3 == 0 && payload.length >= 4) {
        // a plausible strict binary header, so the garbage reaches the struct decoders
        payload[0] = (byte) 0x80;
        payload[1] = 1;
        payload[2] = 0;
        payload[3] = 1;
      }
      send(framed(payload));
    }
    assertStillServing();
  }

  @Test
  void frameLengthThatLiesDoesNotMakeTheServerWaitForGigabytes() throws Exception {
    send(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
    send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
    assertStillServing();
  }

  @Test
  void declaredHugeStringsAndContainersAreRefusedWithoutAllocatingThem() throws Exception {
    for (int attack = 0; attack < 2; attack++) {
      TMemoryBuffer buf = new TMemoryBuffer(64);
      TBinaryProtocol p = new TBinaryProtocol(buf);
      p.writeMessageBegin(new TMessage("createQueue", TMessageType.CALL, 1));
      p.writeStructBegin(new TStruct("createQueue_args"));
      if (attack == 0) {
        p.writeFieldBegin(new TField("name", TType.STRING, (short) 2));
        p.writeI32(Integer.MAX_VALUE - 8); // declared string length, no bytes follow
      } else {
        p.writeFieldBegin(new TField("context", TType.STRUCT, (short) 1));
        p.writeFieldBegin(new TField("x", TType.LIST, (short) 9));
        p.writeByte(TType.STRING);
        p.writeI32(Integer.MAX_VALUE); // declared list size
      }
      send(framed(java.util.Arrays.copyOf(buf.getArray(), buf.length())));
    }
    assertStillServing();
  }
}
