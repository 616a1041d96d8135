package io.hourglass.chaos;

import io.hourglass.chaos.DuplicateClassifier.Kind;
import io.hourglass.chaos.DuplicateClassifier.Verdict;
import io.hourglass.chaos.Records.Acked;
import io.hourglass.chaos.Records.Delivery;
import io.hourglass.client.HourglassClient;
import io.hourglass.thrift.PinLaterJobInfo;
import io.hourglass.thrift.PinLaterJobState;
import io.hourglass.thrift.PinLaterLookupJobRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks after a drained trial: every acknowledged job is there and SUCCEEDED with its body
 * intact, no job is stored twice, and every repeated delivery is classified.
 */
final class TrialCheck {
  private static final int LOOKUP_BATCH = 500;
  private static final int EXAMPLES = 3;

  /** The counts of a trial's checks, before the fault's timings are added. */
  record Findings(int acknowledged, int lost, int storedTwice, int bodiesDamaged, int storedUnacknowledged,
                  int twiceAfterTimeout, int twiceWhileLive, List<String> problems) {}

  private final HourglassClient client;
  private final DuplicateClassifier classifier;

  TrialCheck(HourglassClient client, DuplicateClassifier classifier) {
    this.client = client;
    this.classifier = classifier;
  }

  Findings check(List<Acked> acked, List<Delivery> deliveries) {
    List<String> problems = new ArrayList<>();
    Map<String, Acked> byDescriptor = new HashMap<>();
    acked.forEach(a -> byDescriptor.put(a.descriptor(), a));

    int lost = 0;
    int damaged = 0;
    for (List<String> batch : batches(new ArrayList<>(byDescriptor.keySet()))) {
      Map<String, PinLaterJobInfo> infos = client.lookupJobs(new PinLaterLookupJobRequest(batch).setIncludeBody(true));
      for (String d : batch) {
        PinLaterJobInfo info = infos.get(d);
        if (info == null || info.getJobState() != PinLaterJobState.SUCCEEDED) {
          lost++;
          example(problems, "lost", d + (info == null ? " not found" : " is " + info.getJobState()));
        } else if (!bodyMatches(info, byDescriptor.get(d).bodyId())) {
          damaged++;
          example(problems, "damaged", d + " body does not match its checksum or body id");
        }
      }
    }

    Map<String, List<Delivery>> perJob = new HashMap<>();
    Map<String, Set<String>> descriptorsOfBody = new HashMap<>();
    acked.forEach(a -> descriptorsOfBody.computeIfAbsent(a.bodyId(), k -> new HashSet<>()).add(a.descriptor()));
    Set<String> unacknowledged = new HashSet<>();
    for (Delivery d : deliveries) {
      perJob.computeIfAbsent(d.descriptor(), k -> new ArrayList<>()).add(d);
      if (!d.bodyIntact()) {
        damaged++;
        example(problems, "damaged", d.descriptor() + " delivered to " + d.worker() + " with a bad checksum");
        continue;
      }
      descriptorsOfBody.computeIfAbsent(d.bodyId(), k -> new HashSet<>()).add(d.descriptor());
      if (!byDescriptor.containsKey(d.descriptor())) {
        unacknowledged.add(d.descriptor());
      }
    }
    int storedTwice = 0;
    for (Map.Entry<String, Set<String>> e : descriptorsOfBody.entrySet()) {
      if (e.getValue().size() > 1) {
        storedTwice++;
        example(problems, "stored twice", "body " + e.getKey() + " under " + e.getValue());
      }
    }

    int afterTimeout = 0;
    int whileLive = 0;
    for (List<Delivery> ds : perJob.values()) {
      Optional<Verdict> v = classifier.classify(ds);
      if (v.isEmpty()) {
        continue;
      }
      if (v.get().kind() == Kind.WHILE_CLAIM_LIVE) {
        whileLive++;
        example(problems, "delivered while a claim was live", v.get().older().descriptor() + ": " + v.get().reason());
      } else {
        afterTimeout++;
      }
    }
    return new Findings(byDescriptor.size(), lost, storedTwice, damaged, unacknowledged.size(), afterTimeout,
        whileLive, problems);
  }

  private static boolean bodyMatches(PinLaterJobInfo info, String bodyId) {
    if (info.getBody() == null) {
      return false;
    }
    Object raw = info.getBody();  // ByteBuffer from Scrooge's Java, byte[] from Apache Thrift's
    byte[] body;
    if (raw instanceof ByteBuffer buffer) {
      ByteBuffer dup = buffer.duplicate();
      body = new byte[dup.remaining()];
      dup.get(body);
    } else {
      body = (byte[]) raw;
    }
    return JobBody.verify(body).map(bodyId::equals).orElse(false);
  }

  private static void example(List<String> problems, String kind, String text) {
    long same = problems.stream().filter(p -> p.startsWith(kind + ":")).count();
    if (same < EXAMPLES) {
      problems.add(kind + ": " + text);
    }
  }

  private static List<List<String>> batches(List<String> all) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += LOOKUP_BATCH) {
      out.add(all.subList(i, Math.min(all.size(), i + LOOKUP_BATCH)));
    }
    return out;
  }
}
