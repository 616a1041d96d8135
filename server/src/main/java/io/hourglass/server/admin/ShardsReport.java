package io.hourglass.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hourglass.server.health.ShardStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /shards}: each shard's address, state, pool figures and, when draining, what is left. */
public final class ShardsReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ShardsReport() {}

  public static String render(List<ShardStatus> shards, int liveServers) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ShardStatus s : shards) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("host", s.host() + ":" + s.port());
      m.put("database", s.database());
      m.put("state", s.state().label());
      m.put("stateForMillis", s.millisInState());
      if (s.state() == ShardStatus.State.DOWN) {
        m.put("downReason", s.downReason());
      }
      m.put("queuesSynced", s.queuesSynced());
      m.put("errors", s.errors());
      m.put("downs", s.downs());
      Map<String, Object> pool = new LinkedHashMap<>();
      pool.put("active", s.pool().active());
      pool.put("idle", s.pool().idle());
      pool.put("total", s.pool().total());
      pool.put("waiting", s.pool().waiting());
      m.put("pool", pool);
      if (s.state() == ShardStatus.State.DRAINING) {
        Map<String, Long> left = s.unfinishedJobs();
        // null: it did not answer the count; a number: PENDING + IN_PROGRESS jobs still on it
        m.put("unfinishedJobs", left == null ? null : left.values().stream().mapToLong(Long::longValue).sum());
        m.put("unfinishedJobsByQueue", left);
      }
      list.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("liveServers", liveServers);
    root.put("shards", list);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render /shards", e);
    }
  }
}
