package io.hourglass.server;

import static io.hourglass.testing.TestServer.CONTEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hourglass.testing.MutableClock;
import io.hourglass.testing.TestServer;
import io.hourglass.thrift.ErrorCode;
import io.hourglass.thrift.PinLater;
import io.hourglass.thrift.PinLaterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * D1 and the protocol parts of D8, against a real server over a real socket: frames that once
 * made it allocate gigabytes, buffer a declared gigabyte, overflow its stack or write a stack
 * trace per frame.
 */
class HostileFramesTest {
  /** Well above anything a test request needs, far below the 2 GB the attack asks for. */
  private static final long HEAP_GROWTH_BOUND = 256L << 20;
  static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(MutableClock.startingNow(), Map.of("thrift.maxFrameBytes", String.valueOf(1 << 20)));
    server.client().createQueue(CONTEXT, "hostile");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertStillServing() throws Exception {
    assertTrue(server.client().getQueueNames(CONTEXT).contains("hostile"));
  }

  /** The 68-byte frame of D1: an old-style header whose name length is 0x7ffffff0. */
  private static byte[] oldStyleHeaderDeclaringTwoGigabytes() {
    ByteBuffer b = ByteBuffer.allocate(68);
    b.putInt(64).putInt(0x7ffffff0);
    return b.array();
  }

  /** Sends bytes on a fresh connection and reads until the server answers, closes or goes quiet. */
  private static void sendAndDrain(byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(2000);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        while (in.read(buf) >= 0) {
          if (in.available() == 0) {
            break; // an answer arrived
          }
        }
      } catch (SocketTimeoutException | java.net.SocketException quiet) {
        // closed or reset: fine
      }
    }
  }

  /** Heap pools that hold long-lived and huge objects (G1 puts huge arrays straight there). */
  private static List<MemoryPoolMXBean> oldGeneration() {
    List<MemoryPoolMXBean> pools = new ArrayList<>();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && !p.getName().contains("Eden") && !p.getName().contains("Survivor")) {
        pools.add(p);
      }
    }
    return pools;
  }

  @Test
  void eightConcurrentOldStyleHeadersDeclaringTwoGigabytesTwiceLeaveTheServerServingWithBoundedHeap()
      throws Exception {
    List<MemoryPoolMXBean> pools = oldGeneration();
    assertTrue(!pools.isEmpty(), "no old-generation heap pool found");
    System.gc();
    long before = 0;
    for (MemoryPoolMXBean p : pools) {
      p.resetPeakUsage();
      before += p.getUsage().getUsed();
    }
    ExecutorService attackers = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 2; round++) {
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          sent.add(attackers.submit(() -> {
            sendAndDrain(oldStyleHeaderDeclaringTwoGigabytes());
            return null;
          }));
        }
        for (Future<?> f : sent) {
          f.get(30, TimeUnit.SECONDS);
        }
        assertStillServing();
      }
    } finally {
      attackers.shutdownNow();
    }
    long peak = 0;
    for (MemoryPoolMXBean p : pools) {
      peak += p.getPeakUsage().getUsed();
    }
    System.out.println("old-generation heap growth during 2 x 8 attack frames: " + ((peak - before) >> 10) + " KiB");
    assertTrue(peak - before < HEAP_GROWTH_BOUND,
        "old-generation heap grew by " + ((peak - before) >> 20) + " MiB during the attack");
  }

  @Test
  void aFrameDeclaringAGigabyteClosesTheConnectionWithoutBeingBuffered() throws Exception {
    int chunk = 64 * 1024;
    long offered = 64L << 20;
    long sent = 0;
    boolean closed = false;
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(ByteBuffer.allocate(4).putInt(1 << 30).array());
      byte[] zeros = new byte[chunk];
      try {
        while (sent < offered) {
          out.write(zeros);
          sent += chunk;
        }
        closed = s.getInputStream().read() < 0;
      } catch (SocketTimeoutException stillWaitingForTheRest) {
        closed = false;
      } catch (IOException resetOrBrokenPipe) {
        closed = true;
      }
    }
    System.out.println("1 GiB frame: connection closed after " + (sent >> 10) + " KiB sent");
    assertTrue(closed, "the server kept the connection open after " + (sent >> 20) + " MiB of a 1 GiB frame");
    assertTrue(sent < offered, "the server took all " + (offered >> 20) + " MiB of a frame over its limit");
    assertStillServing();
  }

  @Test
  void twentyThousandDeepNestingIsAProtocolErrorNotAStackOverflow() throws Exception {
    TFramedTransport t = new TFramedTransport(new TSocket("127.0.0.1", server.port(), 10_000), 1 << 20);
    t.open();
    try {
      TBinaryProtocol p = new TBinaryProtocol(t);
      p.writeMessageBegin(new TMessage("getQueueNames", TMessageType.CALL, 7));
      p.writeStructBegin(new TStruct("getQueueNames_args"));
      for (int i = 0; i < 20_000; i++) {
        p.writeFieldBegin(new TField("deep", TType.STRUCT, (short) 9)); // an unknown field: skipped
      }
      for (int i = 0; i < 20_000; i++) {
        p.writeFieldStop();
      }
      p.writeFieldStop();
      p.writeMessageEnd();
      t.flush();
      TMessage reply = p.readMessageBegin();
      assertEquals(TMessageType.EXCEPTION, reply.type);
      TApplicationException e = TApplicationException.readFrom(p);
      assertEquals(TApplicationException.PROTOCOL_ERROR, e.getType(), e.getMessage());
    } finally {
      t.close();
    }
    assertStillServing();
  }

  @Test
  void anUnknownJobStateIsContinuationInvalidSayingItIsNotAJobState() throws Exception {
    TFramedTransport t = new TFramedTransport(new TSocket("127.0.0.1", server.port(), 10_000));
    t.open();
    try {
      TBinaryProtocol p = new TBinaryProtocol(t);
      p.writeMessageBegin(new TMessage("getJobCount", TMessageType.CALL, 0)); // the seqid recv_ expects
      p.writeStructBegin(new TStruct("getJobCount_args"));
      p.writeFieldBegin(new TField("context", TType.STRUCT, (short) 1));
      CONTEXT.write(p);
      p.writeFieldEnd();
      p.writeFieldBegin(new TField("request", TType.STRUCT, (short) 2));
      p.writeStructBegin(new TStruct("PinLaterGetJobCountRequest"));
      p.writeFieldBegin(new TField("queueName", TType.STRING, (short) 1));
      p.writeString("hostile");
      p.writeFieldEnd();
      p.writeFieldBegin(new TField("jobState", TType.I32, (short) 2));
      p.writeI32(99);
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
      p.writeMessageEnd();
      t.flush();
      Exception answer = assertThrows(Exception.class, new PinLater.Client(p)::recv_getJobCount);
      PinLaterException e = assertInstanceOf(PinLaterException.class, answer, answer.toString());
      assertEquals(ErrorCode.CONTINUATION_INVALID, e.getErrorCode());
      assertTrue(e.getMessage().contains("jobState is absent or not a PinLaterJobState value"), e.getMessage());
    } finally {
      t.close();
    }
  }

  @Test
  void anUnknownMethodIsUnknownMethod() throws Exception {
    TFramedTransport t = new TFramedTransport(new TSocket("127.0.0.1", server.port(), 10_000));
    t.open();
    try {
      TBinaryProtocol p = new TBinaryProtocol(t);
      p.writeMessageBegin(new TMessage("noSuchMethod", TMessageType.CALL, 5));
      p.writeStructBegin(new TStruct("noSuchMethod_args"));
      p.writeFieldStop();
      p.writeStructEnd();
      p.writeMessageEnd();
      t.flush();
      TMessage reply = p.readMessageBegin();
      assertEquals(TMessageType.EXCEPTION, reply.type);
      assertEquals(5, reply.seqid);
      assertEquals(TApplicationException.UNKNOWN_METHOD, TApplicationException.readFrom(p).getType());
    } finally {
      t.close();
    }
  }

  @Test
  void aFloodOfMalformedFramesWritesAtMostALineWithoutStackTraces() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    List<java.util.logging.LogRecord> julRecords = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler julCounter = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
          julRecords.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    root.addHandler(julCounter);
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      java.util.Random random = new java.util.Random(7);
      for (int i = 0; i < 300; i++) {
        byte[] payload = new byte[8 + random.nextInt(60)];
        random.nextBytes(payload);
        payload[0] = (byte) 0x80; // strict header, garbage after it
        payload[1] = 1;
        payload[2] = 0;
        payload[3] = 1;
        sendAndDrain(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
      }
      assertStillServing();
    } finally {
      System.setErr(original);
      root.removeHandler(julCounter);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
    assertTrue(lines.size() <= 2, "300 bad frames wrote " + lines.size() + " lines:\n" + err);
    assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")), err);
    assertTrue(julRecords.size() <= 2 && julRecords.stream().allMatch(r -> r.getThrown() == null),
        "Finagle logged " + julRecords.size() + " records, e.g. "
            + (julRecords.isEmpty() ? "" : julRecords.get(0).getMessage()));
  }
}
